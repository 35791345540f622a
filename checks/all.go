package checks

import (
	"maps"
	"slices"
)

// All returns every rule, in the order they are documented.
func All() []*Rule {
	return []*Rule{
		SecretEnv,
		SecretArg,
		ArgPersisted,
		BuildArgSecret,
		HardcodedSecret,
		URLCredentials,
		SecretFileCopied,
		DeletedLater,
		SecretMountPersisted,
		BroadCopy,
		ContextSecretShipped,
		DockerignoreMissing,
		DockerignoreReinclude,
		ParseError,
		InvalidPragma,
		ConfigWeakened,
		ImageSecretConfig,
		ImageSecretHistory,
		ImageSecretFile,
	}
}

// retired holds the IDs of retired rules, which are never reused, and why
// each went.
var retired = map[string]string{
	"dockerignore-gap": "dockerignore-gap is retired: its cases are reported by broad-copy and context-secret-shipped",
}

// Retired returns why the rule with the given ID was retired, or false when
// it never was: a configuration or pragma that names a retired rule gets
// this message rather than "unknown rule".
func Retired(id string) (string, bool) {
	why, ok := retired[id]
	return why, ok
}

// RetiredIDs lists the retired rule IDs, sorted.
func RetiredIDs() []string {
	return slices.Sorted(maps.Keys(retired))
}
