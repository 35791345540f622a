package review

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stowaway-dev/stowaway/scan"
)

func TestScope(t *testing.T) {
	gap := finding("api/.dockerignore", 1, "gap")
	gap.RuleID = "dockerignore-gap"
	shipped := finding("web/Dockerfile", 3, "COPY")
	shipped.RuleID = "context-secret-shipped"
	shipped.Related = []scan.Related{{Path: "web/.env"}}
	res := &scan.Result{
		Findings: []scan.Finding{
			gap,
			finding("api/Dockerfile", 2, "A"),
			finding("db/Dockerfile", 2, "B"),
			finding("svc/Dockerfile", 2, "C"),
			shipped,
			finding("worker/Dockerfile", 2, "D"),
		},
		Contexts: []scan.BuildContext{
			{Dockerfile: "api/Dockerfile", Dir: "api", Ignore: "api/.dockerignore"},
			{Dockerfile: "db/Dockerfile", Dir: "db", Ignore: "db/.dockerignore"},
			{Dockerfile: "svc/Dockerfile", Dir: "svc"},
			{Dockerfile: "web/Dockerfile", Dir: "web", Ignore: "web/.dockerignore"},
			{Dockerfile: "worker/Dockerfile", Dir: "worker"},
		},
	}
	paths := func(fs []scan.Finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Path)
		}
		return out
	}
	tests := []struct {
		name  string
		files []*ChangedFile
		want  []string
	}{
		{"nothing relevant", []*ChangedFile{{Path: "README.md", Status: "modified"}}, nil},
		{
			"a changed Dockerfile brings its ignore file's findings",
			[]*ChangedFile{{Path: "api/Dockerfile", Status: "modified"}},
			[]string{"api/.dockerignore", "api/Dockerfile"},
		},
		{"a changed ignore file brings its Dockerfile", []*ChangedFile{{Path: "db/.dockerignore", Status: "modified"}}, []string{"db/Dockerfile"}},
		{"a removed ignore file brings its Dockerfile", []*ChangedFile{{Path: "svc/.dockerignore", Status: "removed"}}, []string{"svc/Dockerfile"}},
		{"a secret file added to a context", []*ChangedFile{{Path: "web/.env", Status: "added"}}, []string{"web/Dockerfile"}},
		{"a removed Dockerfile brings nothing", []*ChangedFile{{Path: "worker/Dockerfile", Status: "removed"}}, nil},
		{
			"the configuration brings everything",
			[]*ChangedFile{{Path: ".stowaway.yml", Status: "modified"}},
			[]string{"api/.dockerignore", "api/Dockerfile", "db/Dockerfile", "svc/Dockerfile", "web/Dockerfile", "worker/Dockerfile"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, paths(Scope(res, tt.files, ".stowaway.yml"))); diff != "" {
				t.Errorf("Scope (-want +got):\n%s", diff)
			}
		})
	}
}
