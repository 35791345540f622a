package ghtest

// Hostile answers: what a broken, compromised or impersonated API, or a
// proxy in front of it, may send instead of GitHub's answer. They come
// before the token check and the store, hold no lock while they stall, and
// are logged like any request.

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
)

// Hostile answers matching requests instead of the API. Make one with
// Redirect, Stall, StallBody or InvalidJSON.
type Hostile struct {
	Method string
	Path   *regexp.Regexp // matched against the path after Prefix
	// Times is how many requests it answers; 0 means every one.
	Times int
	// Status is the answer's status: the redirect's, or that of InvalidJSON
	// and StallBody, 200 when zero (code scanning's uploads answer 202).
	Status int
	// Stalled, when set, is called each time a request starts to stall:
	// tests move their fake clock there.
	Stalled func()

	kind hostileKind
	to   string
	body string
	used int
}

type hostileKind int

const (
	redirectKind hostileKind = iota + 1
	stallKind
	stallBodyKind
	invalidJSONKind
)

// Redirect answers with status (301, 302, 307 or 308) and a Location of to
// (a base URL such as another server's) followed by the request's path and
// query.
func Redirect(method, path string, status int, to string) *Hostile {
	return &Hostile{Method: method, Path: regexp.MustCompile(path), kind: redirectKind, Status: status, to: to}
}

// Stall never answers: it holds the request until the client gives up or
// the test ends.
func Stall(method, path string) *Hostile {
	return &Hostile{Method: method, Path: regexp.MustCompile(path), kind: stallKind}
}

// StallBody sends 200, the headers and start, then stalls in the middle of
// the body.
func StallBody(method, path, start string) *Hostile {
	return &Hostile{Method: method, Path: regexp.MustCompile(path), kind: stallBodyKind, body: start}
}

// InvalidJSON answers 200 with body, which is not the JSON the endpoint
// returns.
func InvalidJSON(method, path, body string) *Hostile {
	return &Hostile{Method: method, Path: regexp.MustCompile(path), kind: invalidJSONKind, body: body}
}

// hostileState is the Server's list of hostile answers, with its own lock:
// a stalled request must not hold the store's.
type hostileState struct {
	mu    sync.Mutex
	list  []*Hostile
	ended chan struct{} // closed when the test ends, to release stalled requests
}

// AddHostile queues a hostile answer.
func (s *Server) AddHostile(h *Hostile) {
	s.hostile.mu.Lock()
	defer s.hostile.mu.Unlock()
	if s.hostile.ended == nil {
		ended := make(chan struct{})
		s.hostile.ended = ended
		// Registered after New's Close, so it runs first: Close waits for
		// the stalled requests.
		s.t.Cleanup(func() { close(ended) })
	}
	s.hostile.list = append(s.hostile.list, h)
}

// serveHostile answers req when a hostile answer matches it.
func (s *Server) serveHostile(w http.ResponseWriter, req *http.Request) bool {
	p := req.URL.Path[min(len(s.Prefix), len(req.URL.Path)):]
	s.hostile.mu.Lock()
	var h *Hostile
	for _, c := range s.hostile.list {
		if (c.Times == 0 || c.used < c.Times) && c.Method == req.Method && c.Path.MatchString(p) {
			c.used++
			h = c
			break
		}
	}
	ended := s.hostile.ended
	s.hostile.mu.Unlock()
	if h == nil {
		return false
	}
	status := h.Status
	if status == 0 {
		status = http.StatusOK
	}
	switch h.kind {
	case redirectKind:
		to := h.to + req.URL.Path
		if req.URL.RawQuery != "" {
			to += "?" + req.URL.RawQuery
		}
		w.Header().Set("Location", to)
		w.WriteHeader(status)
	case stallKind, stallBodyKind:
		if h.kind == stallBodyKind {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(status)
			io.WriteString(w, h.body)
			w.(http.Flusher).Flush()
		}
		if h.Stalled != nil {
			h.Stalled()
		}
		select {
		case <-req.Context().Done():
			status = 0 // the client gave up
		case <-ended:
		}
	case invalidJSONKind:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		io.WriteString(w, h.body)
	}
	s.mu.Lock()
	s.log = append(s.log, Request{req.Method, req.URL.Path, status})
	s.mu.Unlock()
	return true
}

// Sink is another host, where a redirect may point: it records every
// request with the Authorization header it carried and answers 200 with an
// empty JSON object.
type Sink struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []SinkRequest
}

// SinkRequest is one request a Sink got.
type SinkRequest struct {
	Method, Path, Authorization string
}

// NewSink starts a Sink; it stops at the end of the test.
func NewSink(t testing.TB) *Sink {
	k := &Sink{}
	k.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		k.mu.Lock()
		k.reqs = append(k.reqs, SinkRequest{req.Method, req.URL.Path, req.Header.Get("Authorization")})
		k.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{})
	}))
	t.Cleanup(k.Close)
	return k
}

// Requests returns the requests the Sink got.
func (k *Sink) Requests() []SinkRequest {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]SinkRequest(nil), k.reqs...)
}
