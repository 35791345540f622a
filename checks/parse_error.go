package checks

import "fmt"

// ParseError reports Dockerfiles, or instructions, that BuildKit cannot
// parse. The rest of the file is still checked.
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
	if p.Dockerfile == nil {
		checkIgnoreSyntax(p)
		return
	}
	errs := p.Dockerfile.Errors
	if len(errs) >= templateErrors {
		e := errs[0]
		p.Report(Finding{
			Span: Span{Line: e.Line, EndLine: e.Line},
			Message: fmt.Sprintf("BuildKit cannot parse this instruction: %s (and %d more lines; the file looks like a template, not a Dockerfile)",
				e.Message, len(errs)-1),
			Fix: "Scan the Dockerfiles generated from the template, or leave the template out with `allow.paths` in .stowaway.yml.",
			Key: "template",
		})
		return
	}
	for _, e := range errs {
		p.Report(Finding{
			Span:    Span{Line: e.Line, EndLine: e.Line},
			Message: "BuildKit cannot parse this instruction: " + e.Message,
			Fix:     "Fix the syntax so that `docker build` accepts the file; until then nothing on this line is checked.",
			Key:     e.Message,
		})
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
