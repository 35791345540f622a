package checks

import "strings"

// Connection strings (ADO.NET, ODBC, JDBC properties) carry a password as
// one of their `key=value;` pairs whatever the variable holding them is
// called: ENV ConnectionStrings__Default="Server=db;User Id=sa;Password=…;"
// ships the password in the image config.

// connectionPasswordKeys are the keys a connection string names its
// password by, lower-cased with spaces removed.
var connectionPasswordKeys = wordSet("password", "pwd", "passwd")

// ConnectionPassword returns the literal password of a connection string
// held in v: at least two `key=value` pairs separated by `;`, one of them
// Password, Pwd or Passwd, whose value BuildKit reads as literal text (no
// reference contributes to it) and is not harmless (a placeholder, a
// masked value, one that echoes its name…). s's allowed values are never
// passwords.
func ConnectionPassword(v Value, s *Settings) (string, bool) {
	text := v.Literal
	if v.marked != "" {
		// A reference's expansion is marked: Password=${DB_PASSWORD} is
		// not a literal.
		text = v.marked
	}
	if !strings.Contains(text, ";") {
		return "", false
	}
	pairs, pw, found := 0, "", false
	for _, seg := range strings.Split(text, ";") {
		k, val, ok := strings.Cut(seg, "=")
		key := strings.ToLower(strings.Join(strings.Fields(k), ""))
		if !ok || key == "" || !isConnKey(key) {
			continue
		}
		pairs++
		if connectionPasswordKeys[key] && !found {
			pw, found = strings.Trim(strings.TrimSpace(val), `'"{}`), true
		}
	}
	if !found || pairs < 2 || strings.Contains(pw, refMark) {
		return "", false
	}
	if s != nil && s.Allowed(pw) || HarmlessValue("password", Value{Raw: pw, Literal: pw}) {
		return "", false
	}
	return pw, true
}

// isConnKey reports whether a lower-cased key can name a connection string
// property: letters, digits, spaces removed, `_`, `.` and `-`.
func isConnKey(key string) bool {
	for _, r := range key {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

// connURIWords name a database or message broker, whose connection URL
// carries the credentials: MONGO_URI, DATABASE_URL, REDIS_URL, PG_DSN.
var connURIWords = wordSet("mongo", "mongodb", "database", "db", "postgres", "postgresql", "pg", "psql",
	"mysql", "mariadb", "mssql", "sqlserver", "sql", "redis", "amqp", "rabbitmq", "rabbit", "broker",
	"cassandra", "couchdb", "neo4j", "elasticsearch", "opensearch")

// ConnectionURIName reports whether a variable name is a database or
// broker connection URL's: its last word is url, uri or dsn and another
// word names the database (MONGO_URI, DATABASE_URL, REDIS_URL, PG_DSN), or
// it is a connection string (DB_CONNECTION_STRING, CONNECTION_STRING).
func ConnectionURIName(name string) bool {
	words := SplitWords(name)
	n := len(words)
	if n >= 2 && words[n-2] == "connection" && words[n-1] == "string" {
		return true
	}
	if n < 2 || !(words[n-1] == "url" || words[n-1] == "uri" || words[n-1] == "dsn") {
		return false
	}
	for _, w := range words[:n-1] {
		if connURIWords[w] {
			return true
		}
	}
	return false
}
