package scan

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/stowaway-dev/stowaway/checks"
)

// entryLines is where an entry of contexts or targets sits in the file.
type entryLines struct {
	key    int
	values []int // one per listed value; a lone scalar has one
}

func (e entryLines) value(i int) int {
	if i < len(e.values) {
		return e.values[i]
	}
	return e.key
}

// recordLines keeps the lines of the contexts and targets entries of src,
// which decoded without error.
func (c *Config) recordLines(src []byte) {
	var doc yaml.Node
	if yaml.Unmarshal(src, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return
	}
	top := doc.Content[0].Content
	for i := 0; i+1 < len(top); i += 2 {
		var into *map[string]entryLines
		switch top[i].Value {
		case "contexts":
			into = &c.contextLines
		case "targets":
			into = &c.targetLines
		default:
			continue
		}
		*into = map[string]entryLines{}
		m := top[i+1].Content
		for j := 0; top[i+1].Kind == yaml.MappingNode && j+1 < len(m); j += 2 {
			e := entryLines{key: m[j].Line}
			if v := m[j+1]; v.Kind == yaml.SequenceNode {
				for _, item := range v.Content {
					e.values = append(e.values, item.Line)
				}
			} else {
				e.values = []int{v.Line}
			}
			(*into)[m[j].Value] = e
		}
	}
}

// CheckNames checks that every Dockerfile and folder that contexts names,
// and every Dockerfile and stage that targets names, exists in fsys (the
// tree the configuration's paths are relative to): a typo would otherwise
// fall back to the defaults and turn checks off unseen. The error says
// FILE:LINE of each name that does not exist, one a line.
func (c *Config) CheckNames(fsys fs.FS) error {
	type lineErr struct {
		line int
		msg  string
	}
	var errs []lineErr
	add := func(line int, format string, args ...any) {
		errs = append(errs, lineErr{line, fmt.Sprintf(format, args...)})
	}
	for k, dirs := range c.Contexts {
		at := c.contextLines[k]
		if info, err := fs.Stat(fsys, path.Clean(k)); err != nil || info.IsDir() {
			add(at.key, "contexts: no Dockerfile %s", k)
		}
		for i, d := range dirs {
			if info, err := fs.Stat(fsys, path.Clean(d)); err != nil || !info.IsDir() {
				add(at.value(i), "contexts: %s: no folder %s", k, d)
			}
		}
	}
	for k, stages := range c.Targets {
		at := c.targetLines[k]
		if info, err := fs.Stat(fsys, path.Clean(k)); err != nil || info.IsDir() {
			add(at.key, "targets: no Dockerfile %s", k)
			continue
		}
		src, prob := readFile(fsys, path.Clean(k))
		if prob != nil {
			add(at.key, "targets: %s", prob.Message)
			continue
		}
		df, err := checks.ParseDockerfile(k, replaceInvalid(src), nil)
		if err != nil {
			add(at.key, "targets: %s does not parse: %v", k, err)
			continue
		}
		names := map[string]bool{}
		var list []string
		for _, s := range df.Stages {
			if s.Name != "" {
				names[strings.ToLower(s.Name)] = true
				list = append(list, s.Name)
			}
		}
		for i, s := range stages {
			if !names[strings.ToLower(s)] {
				add(at.value(i), "targets: %s: no stage %q (its named stages: %s)", k, s, orNone(strings.Join(list, ", ")))
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	sort.Slice(errs, func(i, j int) bool {
		return errs[i].line < errs[j].line || errs[i].line == errs[j].line && errs[i].msg < errs[j].msg
	})
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = fmt.Sprintf("%s:%d: %s", c.name, e.line, redactWords(e.msg))
	}
	return fmt.Errorf("%s", strings.Join(lines, "\n"))
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
