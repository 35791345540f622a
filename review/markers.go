package review

// Hidden HTML comments survive GitHub's rendering and come back from the
// API, so markers there make re-runs idempotent. Markers count only on a
// body's first line, which holds nothing else: the rest of a body quotes
// the repository.

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"sort"
	"strings"

	"github.com/stowaway-dev/stowaway/scan"
)

var (
	// anyMarker is anything that looks like one of our markers.
	anyMarker = regexp.MustCompile(`(?i)<!--\s*stowaway`)
	markerRE  = regexp.MustCompile(`<!-- stowaway:(fp|fixed|review)=([0-9A-Za-z._-]{1,128}) -->`)
	// listRE is a compact marker: seen lists the short fingerprints of the
	// findings that did not fit in a review body, gone those of them since
	// fixed, paths the scanned paths of the run that wrote the review
	// (base64url), comma-separated.
	listRE = regexp.MustCompile(`<!-- stowaway:(seen|gone|paths)=([0-9A-Za-z._,-]+) -->`)
	fpRE   = regexp.MustCompile(`^[0-9A-Za-z._-]{1,128}$`)
	// markerLineRE is a first line that holds markers and nothing else.
	markerLineRE = regexp.MustCompile(`^(?:<!-- stowaway:[a-z]+=[0-9A-Za-z._,-]+ -->)+$`)
	// Review bodies written before markers moved to the first line kept
	// each entry's marker at the start of its line and the compact marker
	// on a line of its own.
	legacyEntryRE = regexp.MustCompile(`^- <!-- stowaway:(fp|fixed)=([0-9A-Za-z._-]{1,128}) -->`)
	legacySeenRE  = regexp.MustCompile(`^<!-- stowaway:seen=([0-9A-Za-z._,-]+) -->$`)
)

// shortFP is the prefix of a fingerprint kept in the compact marker: 64
// bits, plenty to tell one pull request's findings apart.
func shortFP(fp string) string { return fp[:min(len(fp), 16)] }

func fpMarker(fp string) string { return "<!-- stowaway:fp=" + fp + " -->" }

func fixedMarker(fp string) string { return "<!-- stowaway:fixed=" + fp + " -->" }

func reviewMarker(key string) string { return "<!-- stowaway:review=" + key + " -->" }

// markers are the markers of one body.
type markers struct {
	open, fixed []string
	seen, gone  []string // short fingerprints
	review      string
	// paths are the paths the review's run scanned; nil for a review
	// written before they were recorded.
	paths []string
}

// parseMarkers reads the markers of a body: its first line, when that line
// is made of markers only.
func parseMarkers(body string) markers {
	first, _, _ := strings.Cut(body, "\n")
	first = strings.TrimSuffix(first, "\r")
	var m markers
	if !markerLineRE.MatchString(first) {
		return m
	}
	for _, g := range markerRE.FindAllStringSubmatch(first, -1) {
		switch g[1] {
		case "fp":
			m.open = append(m.open, g[2])
		case "fixed":
			m.fixed = append(m.fixed, g[2])
		case "review":
			m.review = g[2]
		}
	}
	for _, g := range listRE.FindAllStringSubmatch(first, -1) {
		list := strings.Split(g[2], ",")
		switch g[1] {
		case "seen":
			m.seen = append(m.seen, list...)
		case "gone":
			m.gone = append(m.gone, list...)
		case "paths":
			for _, e := range list {
				if p, err := base64.RawURLEncoding.DecodeString(e); err == nil {
					m.paths = append(m.paths, string(p))
				}
			}
		}
	}
	return m
}

// reviewMarkers reads the markers of one of our own review bodies, in the
// current format or the earlier one, whose first line held the review
// marker alone. Only our own bodies are read this way: their lines are
// ours, and repository text in them is neutralised (text, code).
func reviewMarkers(body string) markers {
	m := parseMarkers(body)
	if m.review == "" || len(m.open)+len(m.fixed)+len(m.seen) > 0 {
		return m
	}
	lines := strings.Split(body, "\n")
	for _, l := range lines[1:] {
		l = strings.TrimSuffix(l, "\r")
		if g := legacyEntryRE.FindStringSubmatch(l); g != nil {
			if g[1] == "fp" {
				m.open = append(m.open, g[2])
			} else {
				m.fixed = append(m.fixed, g[2])
			}
		} else if g := legacySeenRE.FindStringSubmatch(l); g != nil {
			m.seen = append(m.seen, strings.Split(g[1], ",")...)
		}
	}
	return m
}

// String is the first line that holds the markers.
func (m markers) String() string {
	var b strings.Builder
	if m.review != "" {
		b.WriteString(reviewMarker(m.review))
	}
	for _, fp := range m.open {
		b.WriteString(fpMarker(fp))
	}
	for _, fp := range m.fixed {
		b.WriteString(fixedMarker(fp))
	}
	if len(m.seen) > 0 {
		b.WriteString(listMarker("seen", m.seen))
	}
	if len(m.gone) > 0 {
		b.WriteString(listMarker("gone", m.gone))
	}
	if len(m.paths) > 0 {
		enc := make([]string, len(m.paths))
		for i, p := range m.paths {
			enc[i] = base64.RawURLEncoding.EncodeToString([]byte(p))
		}
		b.WriteString(listMarker("paths", enc))
	}
	return b.String()
}

func listMarker(kind string, list []string) string {
	return "<!-- stowaway:" + kind + "=" + strings.Join(list, ",") + " -->"
}

// fingerprint is the finding's marker key: the engine's fingerprint, or a
// hash of it when it holds characters a marker cannot. The engine always
// sets one; a finding built by hand without one is keyed by its rule, path
// and message.
func fingerprint(f *scan.Finding) string {
	fp := f.Fingerprint
	if fp == "" {
		fp = f.RuleID + "\x00" + f.Path + "\x00" + f.Message
	}
	if fpRE.MatchString(fp) {
		return fp
	}
	sum := sha256.Sum256([]byte(fp))
	return hex.EncodeToString(sum[:16])
}

// ReviewKey is the key in the markers of a review body, "" for none.
func ReviewKey(body string) string { return parseMarkers(body).review }

// ProbeBody is the body of a review posted only to learn whether the host
// accepts its comments, and deleted at once.
const ProbeBody = "<!-- stowaway:review=probe -->"

// reviewKey identifies a review by what it posts, so that a retry can tell
// whether an earlier attempt was stored.
func reviewKey(sha string, fs []*scan.Finding) string {
	keys := make([]string, len(fs))
	for i, f := range fs {
		keys[i] = fingerprint(f)
	}
	sort.Strings(keys)
	h := sha256.New()
	h.Write([]byte(sha))
	for _, k := range keys {
		h.Write([]byte{0})
		h.Write([]byte(k))
	}
	return hex.EncodeToString(h.Sum(nil))[:20]
}
