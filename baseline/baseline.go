package baseline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/stowaway-dev/stowaway/report"
	"github.com/stowaway-dev/stowaway/sarif"
)

// baselineFile holds what a baseline is read from: a JSON report
// (docs/json-schema.md) or a SARIF log, in which Stowaway's runs carry the
// same fingerprints as partialFingerprints.
type baselineFile struct {
	Version  json.RawMessage `json:"version"`
	Findings []struct {
		Fingerprint string `json:"fingerprint"`
	} `json:"findings"`
	Runs []struct {
		Tool struct {
			Driver struct {
				Name string `json:"name"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			PartialFingerprints map[string]any `json:"partialFingerprints"`
		} `json:"results"`
	} `json:"runs"`
}

// Read returns the fingerprints of a JSON report or SARIF log.
func Read(src []byte) (map[string]bool, error) {
	var b baselineFile
	dec := json.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("not a JSON report or SARIF log: %w", err)
	}
	known := map[string]bool{}
	switch {
	case b.Runs != nil:
		runs := 0
		for _, run := range b.Runs {
			if run.Tool.Driver.Name != sarif.ToolName {
				continue // a log merged with other tools' runs
			}
			runs++
			for _, r := range run.Results {
				if fp, ok := r.PartialFingerprints[sarif.FingerprintKey].(string); ok && fp != "" {
					known[fp] = true
				}
			}
		}
		if runs == 0 {
			return nil, errors.New("the SARIF log has no run of " + sarif.ToolName)
		}
	case b.Findings != nil:
		var v int
		if err := json.Unmarshal(b.Version, &v); err != nil || v < 1 || v > report.JSONVersion {
			// The value is the file's, which may be anything: not quoted.
			return nil, fmt.Errorf("a JSON report of an unknown version (want 1 to %d)", report.JSONVersion)
		}
		for _, f := range b.Findings {
			if f.Fingerprint != "" {
				known[f.Fingerprint] = true
			}
		}
	default:
		return nil, errors.New(`neither a JSON report (no "findings") nor a SARIF log (no "runs")`)
	}
	return known, nil
}
