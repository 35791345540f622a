package action

import "testing"

// TestActionConfigYAMLName: the Action reads the configuration as
// .stowaway.yaml too, as `stowaway scan` does, at the base commit of a pull
// request and in the workspace on other events; both names at once are an
// error, as they are for the CLI.
func TestActionConfigYAMLName(t *testing.T) {
	leakyBase := tree(t, "leaky/base")
	allowFixtures := "allow:\n  paths: ['fixtures/**']\n"
	leakyFixture := "FROM alpine:3.20\nENV SAMPLE_TOKEN=ghp_FAKEstowawayE2Efixture0000000000000\n"

	t.Run("the base commit's .stowaway.yaml governs", func(t *testing.T) {
		e := newE2E(t, bot)
		base := withFiles(leakyBase, map[string]string{
			".stowaway.yaml":      allowFixtures,
			"fixtures/Dockerfile": "FROM alpine:3.20\n",
		})
		e.srv.AddCommit(e2eRepo, baseSHA, base)
		head := withFiles(base, map[string]string{"fixtures/Dockerfile": leakyFixture})
		e.openPR(base, head, false)
		r := e.run(invocation{head: head, inputs: map[string]string{"scan": "all"}})
		if r.code != exitOK {
			t.Errorf("exit %d, want %d: the base configuration allows fixtures/**\n%s", r.code, exitOK, r.stdout)
		}
		wantOutputs(t, r, 0, 0, 0)
		wantReadThroughAPI(t, e, ".stowaway.yaml")
	})

	t.Run("both names at the base commit", func(t *testing.T) {
		e := newE2E(t, bot)
		base := withFiles(leakyBase, map[string]string{".stowaway.yml": allowFixtures, ".stowaway.yaml": allowFixtures})
		e.srv.AddCommit(e2eRepo, baseSHA, base)
		e.openPR(base, base, false)
		r := e.run(invocation{head: base})
		if r.code != exitError {
			t.Errorf("exit %d, want %d\n%s", r.code, exitError, r.stdout)
		}
		wantContains(t, "log", r.stdout, "::error::", ".stowaway.yml and .stowaway.yaml are both present at the base commit: keep one")
	})

	t.Run("the workspace's .stowaway.yaml on a push", func(t *testing.T) {
		e := newE2E(t, bot)
		head := withFiles(leakyBase, map[string]string{".stowaway.yaml": allowFixtures, "fixtures/Dockerfile": leakyFixture})
		r := e.run(invocation{event: "push", head: head})
		if r.code != exitOK {
			t.Errorf("exit %d, want %d: the configuration allows fixtures/**\n%s", r.code, exitOK, r.stdout)
		}
		head[".stowaway.yml"] = allowFixtures
		r = e.run(invocation{event: "push", head: head})
		if r.code != exitError {
			t.Errorf("both names: exit %d, want %d\n%s", r.code, exitError, r.stdout)
		}
		wantContains(t, "log", r.stdout, "::error::", ".stowaway.yml and .stowaway.yaml are both present: keep one")
	})
}
