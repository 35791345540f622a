package checks

// All returns every rule, in the order they are documented.
func All() []*Rule {
	return []*Rule{
		ParseError,
		InvalidPragma,
	}
}
