package checks

// All returns every rule, in the order they are documented.
func All() []*Rule {
	return []*Rule{
		SecretEnv,
		SecretArg,
		ArgPersisted,
		HardcodedSecret,
		URLCredentials,
		SecretFileCopied,
		DeletedLater,
		SecretMountPersisted,
		BroadCopy,
		ContextSecretShipped,
		DockerignoreMissing,
		DockerignoreGap,
		DockerignoreReinclude,
		ParseError,
		InvalidPragma,
		ConfigWeakened,
	}
}
