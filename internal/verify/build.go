package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Builder runs buildctl against the buildkitd the script started.
type Builder struct {
	Buildctl string
	Addr     string
	Base     string // OCI layout folder of the busybox base
	Digest   string // sha256:… of the base's index entry
	Work     string // scratch folder for secrets and outputs
	Timeout  time.Duration
}

// BuildResult is one build's outcome; Log is BuildKit's plain progress.
type BuildResult struct {
	Tar      string
	Log      string
	Err      error
	Duration time.Duration
	// Failed lists the RUN lines whose command exited non-zero: the base's
	// /bin/sh tolerates that, so that one missing tool does not hide what
	// the rest of the file does, and says so in the log.
	Failed []string
}

// tolerated is what the base's /bin/sh prints when a RUN fails.
var tolerated = regexp.MustCompile(`(?m)^#(\d+) [0-9.]+ stowaway-verify: RUN exited (\d+)`)

var stepRe = regexp.MustCompile(`(?m)^#(\d+) \[([^\]]+)\] RUN `)

// Build builds the Dockerfile of c with every FROM mapped to the base, a
// marker for each build argument and each secret.
func (b *Builder) Build(ctx context.Context, repo string, c Case, p *Plan, name string) BuildResult {
	out := filepath.Join(b.Work, name+".tar")
	dfAbs := filepath.Join(repo, filepath.FromSlash(c.Root), filepath.FromSlash(c.Dockerfile))
	args := []string{"--addr", b.Addr, "build", "--progress=plain",
		"--frontend", "dockerfile.v0",
		"--local", "context=" + filepath.Join(repo, filepath.FromSlash(c.Root), filepath.FromSlash(c.Context)),
		"--local", "dockerfile=" + filepath.Dir(dfAbs),
		"--opt", "filename=" + filepath.Base(dfAbs),
		// Ignore `# syntax=`: the frontend image cannot be pulled here.
		"--opt", "cmdline=",
		"--oci-layout", "base=" + b.Base,
		"--output", "type=oci,dest=" + out,
	}
	for _, img := range p.Images {
		args = append(args, "--opt", "context:"+img+"=oci-layout://base@"+b.Digest)
		// BuildKit looks a named context up without a ":latest" tag.
		if short, ok := strings.CutSuffix(img, ":latest"); ok {
			args = append(args, "--opt", "context:"+short+"=oci-layout://base@"+b.Digest)
		}
	}
	for _, k := range sortedKeys(p.Args) {
		args = append(args, "--opt", "build-arg:"+k+"="+p.Args[k])
	}
	for _, id := range sortedKeys(p.Secrets) {
		f := filepath.Join(b.Work, name+".secret."+safeName(id))
		if err := os.WriteFile(f, []byte(p.Secrets[id]), 0o600); err != nil {
			return BuildResult{Err: err}
		}
		args = append(args, "--secret", "id="+id+",src="+f)
	}
	ctx, cancel := context.WithTimeout(ctx, b.Timeout)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, b.Buildctl, args...)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	err := cmd.Run()
	r := BuildResult{Tar: out, Log: log.String(), Duration: time.Since(start)}
	if err != nil {
		r.Err = fmt.Errorf("buildctl: %v: %s", err, lastError(r.Log))
	}
	// Plain progress names each step "#N [stage k/n] RUN …" and prefixes its
	// output with "#N"; the step's position, not its text, is shown (the
	// text may hold a planted value).
	steps := map[string]string{}
	for _, m := range stepRe.FindAllStringSubmatch(r.Log, -1) {
		steps[m[1]] = strings.Join(strings.Fields(m[2]), " ")
	}
	for _, m := range tolerated.FindAllStringSubmatch(r.Log, -1) {
		r.Failed = append(r.Failed, fmt.Sprintf("step [%s] exit %s", steps[m[1]], m[2]))
	}
	return r
}

// lastError is the line of BuildKit's log that says why the build failed.
func lastError(log string) string {
	lines := strings.Split(strings.TrimSpace(log), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "error:") || strings.Contains(lines[i], "ERROR:") {
			return strings.TrimSpace(lines[i])
		}
	}
	if len(lines) > 0 {
		return lines[len(lines)-1]
	}
	return ""
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
