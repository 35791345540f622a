package scan

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stowaway-dev/stowaway/checks"
)

// Redact returns the form of a secret that may be shown: its first four
// characters when it is long enough for them to say little (token prefixes
// such as ghp_ or AKIA), and its length. Short secrets show no character.
func Redact(secret string) string {
	n := utf8.RuneCountInString(secret)
	prefix := ""
	if n >= 12 {
		i := 0
		for j := range secret {
			if i == 4 {
				prefix = secret[:j]
				break
			}
			i++
		}
	}
	return prefix + "…(" + strconv.Itoa(n) + " chars)"
}

// maskSuggestion returns a copy of s with the secrets of its edits masked,
// each edit by the ranges of the lines it replaces (the suggestion's own
// text also by those of the finding's instruction, start..end), and
// Redacted set when masking changed an edit. It returns nil when a word
// that looks like a secret is left after masking: the finding keeps its
// Fix, nothing offers to commit it.
func maskSuggestion(s *checks.Suggestion, m *masker, sm *spanMask, start, end int) *checks.Suggestion {
	sg := *s
	sg.Text = sm.in(min(start, s.StartLine), max(end, s.EndLine)).text(m.mask(s.Text))
	sg.Redacted = s.Redacted || sg.Text != s.Text
	leftover := len(checks.SecretLikeRanges(sg.Text)) > 0
	sg.Also = slices.Clone(s.Also)
	for i := range sg.Also {
		e := &sg.Also[i]
		masked := sm.in(e.StartLine, e.EndLine).text(m.mask(e.Text))
		sg.Redacted = sg.Redacted || masked != e.Text
		e.Text = masked
		leftover = leftover || len(checks.SecretLikeRanges(e.Text)) > 0
	}
	if leftover {
		return nil
	}
	return &sg
}

// masker replaces every secret of one file by its redacted form.
type masker struct {
	secrets []string    // longest first, so that a secret inside another is not half-masked
	clean   *cleanProse // the scan's texts known to need no redaction; nil keeps none
}

// newMasker returns a value, which its caller keeps on the stack: a
// masker per target was an allocation per file scanned.
func newMasker(secrets map[string]bool, clean *cleanProse) masker {
	m := masker{clean: clean}
	for s := range secrets {
		if s != "" {
			m.secrets = append(m.secrets, s)
		}
	}
	slices.SortFunc(m.secrets, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b))
	})
	return m
}

func (m *masker) mask(s string) string {
	return m.maskIf(s, func(string) bool { return true })
}

// maskProse masks the secrets in text a rule wrote. Rules never put values
// there, so a secret that is a plain lower-case word ("password" in
// `user:password@db`) is the rule's own word and is kept.
func (m *masker) maskProse(s string) string {
	return m.maskIf(s, func(sec string) bool { return !IsPlainWord(sec) })
}

// IsPlainWord reports a secret made only of lower-case ASCII letters.
func IsPlainWord(s string) bool {
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return s != ""
}

func (m *masker) maskIf(s string, ok func(string) bool) string {
	for _, sec := range m.secrets {
		if !ok(sec) {
			continue
		}
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, Redact(sec))
		}
	}
	return s
}

// Fingerprint is fingerprint for findings made outside a scan (the image
// check), so that they survive re-runs the same way.
func Fingerprint(rule, path, key string, occurrence int) string {
	return fingerprint(rule, path, key, occurrence)
}

// fingerprint hashes what identifies a finding across unrelated line shifts.
func fingerprint(rule, path, key string, occurrence int) string {
	// The bytes of "%s\x00%s\x00%s\x00%d", appended: fmt cost a tenth of
	// the engine's finishing of findings.
	b := make([]byte, 0, len(rule)+len(path)+len(key)+24)
	b = append(append(b, rule...), 0)
	b = append(append(b, path...), 0)
	b = append(append(b, key...), 0)
	b = strconv.AppendInt(b, int64(occurrence), 10)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16]) // 32 characters, not 64 kept for 32
}

// normalize folds white space so that re-indenting does not change a key.
func normalize(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
