package checks

import "fmt"

// ParseError reports Dockerfiles, or instructions, that BuildKit cannot
// parse. The rest of the file is still checked, and the refused lines are
// read for literal secrets by the secret rules. Files that are not
// Dockerfiles (NotDockerfile) are notifications instead.
var ParseError = &Rule{
	ID: "parse-error", Name: "ParseError", Level: Warning, Precision: "very-high",
	SecuritySeverity: "1.0",
	Tags:             []string{"correctness"},
	Summary:          "Dockerfile instruction that BuildKit cannot parse",
	Help:             mustDoc("parse-error"),
	Check:            checkParseError,
}

// templateErrors is how many rejected lines make a file look like a
// template (Dockerfile.template, a generator's input) rather than a
// Dockerfile with mistakes; such a file gets one finding, not hundreds.
const templateErrors = 4

func checkParseError(p *Pass) {
	df := p.Dockerfile
	if df == nil {
		checkIgnoreSyntax(p)
		return
	}
	if df.NotDockerfile != "" {
		// An empty file, a template or a fragment: the engine notes it; its
		// literal secrets are still reported by the secret rules.
		return
	}
	errs := df.Errors
	if len(errs) >= templateErrors {
		e := errs[0]
		p.Report(Finding{
			Span: Span{Line: e.Line, EndLine: e.Line},
			Message: fmt.Sprintf("BuildKit cannot parse this instruction: %s (and %d more lines it cannot parse)",
				e.Message, len(errs)-1),
			Fix: "Fix the syntax so that `docker build` accepts the file; until then the lines BuildKit refuses are checked only for literal secrets. A template belongs in `allow.paths` in .stowaway.yml.",
			Key: "template",
		})
		return
	}
	for _, e := range errs {
		f := Finding{
			Span:    Span{Line: e.Line, EndLine: e.Line},
			Message: "BuildKit cannot parse this instruction: " + e.Message,
			Fix:     "Fix the syntax so that `docker build` accepts the file; until then this line is checked only for literal secrets.",
			Key:     e.Message,
		}
		if e.Whole {
			f.Message = "BuildKit refuses the whole file for this line: " + e.Message
			f.Fix = "Fix the line so that `docker build` accepts the file; until then no image is built, and this line is checked only for literal secrets."
		}
		p.Report(f)
	}
}

// checkIgnoreSyntax reports an ignore file whose patterns BuildKit rejects
// (a lone "!", a malformed bracket): the build fails on it, and none of its
// patterns can be trusted to keep secrets out.
func checkIgnoreSyntax(p *Pass) {
	f := p.Ignore
	if f == nil || f.Err == nil {
		return
	}
	line := 1
	for _, pat := range f.Patterns {
		text := pat.Pattern
		if pat.Negate {
			text = "!" + text
		}
		// New rejects some patterns; others fail only when first matched.
		m, err := compilePatterns([]string{text})
		if err == nil {
			_, err = m.MatchesOrParentMatches("probe")
		}
		if err != nil {
			line = pat.Line
			break
		}
	}
	p.Report(Finding{
		Span:    Span{Line: line, EndLine: line},
		Message: "BuildKit cannot read this ignore file: " + f.Err.Error(),
		Fix:     "Fix or remove the pattern; `docker build` fails on this file, and none of its patterns are applied until then.",
		Key:     f.Err.Error(),
	})
}
