package checks

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

func checkParseError(p *Pass) {
	if p.Dockerfile == nil {
		return
	}
	for _, e := range p.Dockerfile.Errors {
		p.Report(Finding{
			Span:    Span{Line: e.Line, EndLine: e.Line},
			Message: "BuildKit cannot parse this instruction: " + e.Message,
			Fix:     "Fix the syntax so that `docker build` accepts the file; until then nothing on this line is checked.",
			Key:     e.Message,
		})
	}
}
