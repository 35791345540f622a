// Command verify builds every rule's test case and every example with real
// BuildKit and compares what the static scan says ships with what the built
// image holds. scripts/verify-buildkit starts buildkitd, builds the busybox
// base and runs it; see docs/verification.md.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

func main() {
	repo := flag.String("repo", ".", "repository root")
	buildctl := flag.String("buildctl", "buildctl", "buildctl binary")
	addr := flag.String("addr", "", "buildkitd address (unix://…)")
	base := flag.String("base", "", "OCI layout folder of the busybox base")
	work := flag.String("work", "", "scratch folder for secrets and image tarballs")
	stowaway := flag.String("stowaway", "", "stowaway binary")
	expectedFile := flag.String("expected", "scripts/verify-buildkit.expected", "cases that cannot build or agree, with their reasons")
	only := flag.String("run", "", "only cases whose name contains this")
	keep := flag.Bool("keep", false, "keep the image tarballs in -work")
	verbose := flag.Bool("v", false, "print each build's log")
	flag.Parse()
	if *addr == "" || *base == "" || *work == "" || *stowaway == "" {
		fmt.Fprintln(os.Stderr, "verify: -addr, -base, -work and -stowaway are required; run scripts/verify-buildkit")
		os.Exit(2)
	}
	digest, err := indexDigest(*base)
	if err != nil {
		fatal(err)
	}
	skip, err := LayerDigests(*base)
	if err != nil {
		fatal(err)
	}
	expected, err := ReadExpected(filepath.Join(*repo, *expectedFile))
	if err != nil {
		fatal(err)
	}
	b := &Builder{Buildctl: *buildctl, Addr: *addr, Base: *base, Digest: digest, Work: *work, Timeout: 3 * time.Minute}
	verboseLog = *verbose
	missing := ImageCommandMissing(*stowaway)
	if missing != "" {
		fmt.Printf("NOTE: %s: each case is compared with the image as read here only, and none counts as verified\n", missing)
	}
	roots, err := CaseRoots(*repo)
	if err != nil {
		fatal(err)
	}
	var verified, disagreements, known, direct, n int
	var buildTime time.Duration
	seen := map[string]bool{}
	start := time.Now()
	for _, root := range roots {
		if *only != "" && !strings.Contains(root.dir, *only) && !strings.Contains(*only, root.dir) {
			continue
		}
		st, err := ScanStatic(*repo, root)
		if err != nil {
			// The whole folder cannot be scanned (a bad .stowaway.yml): one
			// case, which the expected file must name.
			name := root.dir + "/"
			seen[name] = true
			n++
			if reason, listed := expected[name]; listed {
				known++
				fmt.Printf("known %s: %s\n    scan: %v\n", name, reason, err)
			} else {
				disagreements++
				fmt.Printf("disagree %s: the scan cannot run: %v\n", name, err)
			}
			continue
		}
		for _, bc := range st.Contexts {
			c := Case{Name: path.Join(root.dir, bc.Dockerfile), Root: root.dir, Dockerfile: bc.Dockerfile, Context: bc.Dir, Flat: root.flat}
			if *only != "" && !strings.Contains(c.Name, *only) {
				continue
			}
			seen[c.Name] = true
			n++
			r := runCase(b, *repo, c, root, st, *stowaway, missing == "", skip, n)
			buildTime += r.build
			if !*keep {
				_ = os.Remove(r.tar)
			}
			reason, listed := expected[c.Name]
			switch {
			case len(r.problems) == 0 && listed:
				disagreements++
				fmt.Printf("disagree %s: listed in %s (%s) but agrees now: drop the entry\n", c.Name, *expectedFile, reason)
			case len(r.problems) == 0:
				if r.verified {
					verified++
					fmt.Printf("ok %s (%s)\n", c.Name, r.summary)
				} else {
					direct++
					fmt.Printf("ok-direct %s (%s)\n", c.Name, r.summary)
				}
			case listed:
				known++
				fmt.Printf("known %s: %s\n", c.Name, reason)
				for _, p := range r.problems {
					fmt.Printf("    %s\n", p)
				}
			default:
				disagreements++
				fmt.Printf("disagree %s:\n", c.Name)
				for _, p := range r.problems {
					fmt.Printf("    %s\n", p)
				}
			}
		}
	}
	if *only == "" {
		for name := range expected {
			if !seen[name] {
				disagreements++
				fmt.Printf("disagree %s: listed in %s but no such case\n", name, *expectedFile)
			}
		}
	}
	fmt.Printf("cases=%d direct-only=%d known=%d build=%s total=%s\n", n, direct, known, buildTime.Round(time.Second), time.Since(start).Round(time.Second))
	fmt.Printf("verified=%d disagreements=%d\n", verified, disagreements)
	if disagreements > 0 {
		os.Exit(1)
	}
	if missing != "" {
		os.Exit(3)
	}
}

// verboseLog prints each build's log (-v).
var verboseLog bool

type caseResult struct {
	tar      string
	build    time.Duration
	problems []string
	verified bool
	summary  string
}

func runCase(b *Builder, repo string, c Case, root caseRoot, st *Static, stowaway string, withImage bool, skip map[string]bool, n int) caseResult {
	var r caseResult
	for _, p := range st.Problems {
		if p.Level == checks.Error && (p.Path == "" || p.Path == c.Dockerfile) {
			r.problems = append(r.problems, "scan problem: "+p.Message)
			return r
		}
	}
	src, err := os.ReadFile(filepath.Join(repo, c.Root, filepath.FromSlash(c.Dockerfile)))
	if err != nil {
		r.problems = append(r.problems, err.Error())
		return r
	}
	plan, err := PlanBuild(c.Dockerfile, src)
	switch {
	case errors.Is(err, errRemote):
		r.problems = append(r.problems, err.Error())
		return r
	case err != nil:
		r.problems = append(r.problems, "not buildable: BuildKit's parser refuses it")
		return r
	}
	res := b.Build(context.Background(), repo, c, plan, fmt.Sprintf("case%03d", n))
	if verboseLog {
		// BuildKit's log quotes the instructions, planted values included.
		fmt.Print(mask(res.Log, st, filepath.Join(repo, c.Root)))
	}
	r.tar, r.build = res.Tar, res.Duration
	if res.Err != nil {
		r.problems = append(r.problems, "build failed: "+mask(res.Err.Error(), st, filepath.Join(repo, c.Root)))
		return r
	}
	img, err := ReadImage(res.Tar, skip)
	if err != nil {
		r.problems = append(r.problems, err.Error())
		return r
	}
	v := CompareDirect(c, plan, st, img, filepath.Join(repo, c.Root))
	r.problems = append(r.problems, v.Disagree...)
	if len(res.Failed) > 0 && len(v.Disagree) > 0 {
		r.problems = append(r.problems, fmt.Sprintf("(%d RUN(s) failed in the stub base and were tolerated: %s)", len(res.Failed), strings.Join(res.Failed, ", ")))
	}
	r.summary = fmt.Sprintf("%d confirmed, %d for image, %d RUN failures tolerated, %s", v.Confirmed, v.NeedsImage, len(res.Failed), res.Duration.Round(10*time.Millisecond))
	if withImage {
		var paths []string
		if root.flat {
			paths = []string{c.Dockerfile}
		}
		d, err := CompareImageCommand(stowaway, filepath.Join(repo, c.Root), paths, c, plan, res.Tar)
		if err != nil {
			r.problems = append(r.problems, err.Error())
			return r
		}
		r.problems = append(r.problems, d...)
		r.verified = len(r.problems) == 0
	}
	return r
}

// mask redacts, in BuildKit's error (which quotes the Dockerfile), every
// value a rule reported and every planted value of the case.
func mask(msg string, st *Static, caseDir string) string {
	var values []string
	for _, vals := range st.Secrets {
		values = append(values, vals...)
	}
	for _, pv := range plantedValues(caseDir) {
		values = append(values, pv.value)
	}
	// Longest first, so that a value inside another is not masked alone.
	sort.Slice(values, func(i, j int) bool { return len(values[i]) > len(values[j]) })
	for _, v := range values {
		if len(v) >= 6 {
			msg = strings.ReplaceAll(msg, v, scan.Redact(v))
		}
	}
	return msg
}

// ReadExpected reads the list of cases that cannot build or agree:
// "<case> <reason>" a line, # comments.
func ReadExpected(file string) (map[string]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for ln := 1; sc.Scan(); ln++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, ok := strings.Cut(line, " ")
		if !ok || strings.TrimSpace(reason) == "" {
			return nil, fmt.Errorf("%s:%d: want \"<case> <reason>\"", file, ln)
		}
		out[name] = strings.TrimSpace(reason)
	}
	return out, sc.Err()
}

func indexDigest(layout string) (string, error) {
	raw, err := os.ReadFile(filepath.Join(layout, "index.json"))
	if err != nil {
		return "", err
	}
	var idx ociIndex
	if err := json.Unmarshal(raw, &idx); err != nil || len(idx.Manifests) == 0 {
		return "", fmt.Errorf("%s: no OCI index", layout)
	}
	return idx.Manifests[0].Digest, nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "verify:", err)
	os.Exit(2)
}
