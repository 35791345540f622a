package checks

// The image rules report what a built image holds (stowaway image): the
// image package reads the config, history and layers and raises their
// findings, as scan.CompareConfig raises config-weakened's. Their Check
// has nothing to look at in a Dockerfile. The static rule each one answers
// for is named in its docs, so that a static finding and an image finding
// can be compared case by case.

// ImageSecretConfig reports a credential in a built image's config: Env,
// Labels, Cmd, Entrypoint, Healthcheck, User, OnBuild.
var ImageSecretConfig = &Rule{
	ID: "image-secret-config", Name: "ImageSecretConfig", Level: Error, Precision: "high",
	SecuritySeverity: "9.0",
	Tags:             []string{"security", "secrets", "image"},
	Summary:          "Built image config holds a secret",
	Help:             mustDoc("image-secret-config"),
	Check:            checkImageRule,
}

// ImageSecretHistory reports a credential in a built image's history: the
// build arguments BuildKit records for every RUN (|N NAME=value), an ARG
// entry's value, a token or URL credentials in an instruction.
var ImageSecretHistory = &Rule{
	ID: "image-secret-history", Name: "ImageSecretHistory", Level: Error, Precision: "high",
	SecuritySeverity: "8.5",
	Tags:             []string{"security", "secrets", "image"},
	Summary:          "Built image history holds a secret",
	Help:             mustDoc("image-secret-history"),
	Check:            checkImageRule,
}

// ImageSecretFile reports a credential file in a layer of a built image,
// by its name or by its content, including files a later layer deletes.
var ImageSecretFile = &Rule{
	ID: "image-secret-file", Name: "ImageSecretFile", Level: Error, Precision: "high",
	SecuritySeverity: "9.0",
	Tags:             []string{"security", "secrets", "image"},
	Summary:          "Built image layer holds a secret file",
	Help:             mustDoc("image-secret-file"),
	Check:            checkImageRule,
}

// checkImageRule reports nothing: see the image rules.
func checkImageRule(*Pass) {}

// ImageRules returns the rules of the image check, in documentation order.
func ImageRules() []*Rule {
	return []*Rule{ImageSecretConfig, ImageSecretHistory, ImageSecretFile}
}
