package checks

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/command"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Dockerfile is a parsed Dockerfile with its stage model.
type Dockerfile struct {
	Path   string   // slash path relative to the scan root
	Lines  []string // raw lines: BOM stripped, CR removed, invalid UTF-8 kept
	Escape rune     // the escape token (\ or `)

	// MetaArgs are the ARG instructions before the first FROM.
	MetaArgs []*Instruction
	Stages   []*Stage
	// Instructions lists every instruction in file order, meta ARGs included.
	Instructions []*Instruction
	// Errors lists what BuildKit refused: instructions, or lines for which
	// it refuses the whole file. Those lines are kept out of the model; the
	// parse went on past them, and the secret rules read them as raw text.
	Errors []SyntaxError
	// NotDockerfile says why the file is not a Dockerfile at all (empty or
	// comments only, a template, a fragment without FROM); "" when it is
	// one. Such a file is a notification, not a parse-error finding.
	NotDockerfile string
	// Targets are the stages that are built (by default the last one).
	Targets []*Stage
	// Budget bounds the work of the models on this file; nil is unlimited.
	Budget *Budget

	// The stage lineage answers every rule that asks what ships.
	lineageOnce  sync.Once
	lineageModel *stageLineage
	// The secret-file model is read by five rules; it is built once.
	fileModelOnce sync.Once
	fileModel     *secretFileModel
	// byName finds a stage by its lower-case name; the last stage of a name
	// wins, as in BuildKit.
	byName map[string]*Stage
	// preorder lists the stages in the order of Stage.enter.
	preorder []*Stage
	// Which instructions reference and declare each name (argRefsOf).
	argRefsOnce sync.Once
	argRefs     *argRefIndex
	// The ARG declarations, read by two rules (readArgs).
	argsMu       sync.Mutex
	argsSettings *Settings
	args         map[*Instruction][]*argDecl
	// The refused lines, read by four rules (refused); tooLong: a line is
	// longer than BuildKit reads; unparsed: BuildKit parsed none of it.
	refusedOnce       sync.Once
	refusedModel      *refusedModel
	tooLong, unparsed bool
}

// SyntaxError is an instruction, or lines, that BuildKit rejected.
type SyntaxError struct {
	Line, EndLine int
	// Message names the keyword, the flag and the kind of error, never the
	// rejected text.
	Message string
	// Whole reports that BuildKit refuses the whole file for these lines,
	// not only this instruction.
	Whole bool
}

// Stage is one FROM block.
type Stage struct {
	Index int
	Name  string // the AS name as written, "" when unnamed
	// Base is the image or stage the FROM names, as written.
	Base string
	// BaseStage is the stage Base refers to, or nil for an image.
	BaseStage    *Stage
	From         *Instruction
	Instructions []*Instruction // after FROM, in order
	// Shipped reports whether anything of this stage reaches a built target:
	// it is a target, a target inherits from it, or a shipped stage copies
	// from it with COPY --from.
	Shipped bool
	// Inherited reports whether a target is this stage or inherits from it,
	// so that its config, history and every layer ship, not only copied files.
	Inherited bool
	// enter is the stage's place in a depth-first walk of the FROM tree (a
	// stage's base is always an earlier stage) and leave the place of the
	// last stage built on it, so that "is built on" is two comparisons, not
	// a walk down a chain of any length.
	enter, leave int
}

// Instruction is one instruction with its typed form.
type Instruction struct {
	Cmd       string // lower-case keyword: env, arg, run, copy, add, label, from, onbuild, ...
	Original  string // the instruction as BuildKit joined it (continuations folded)
	StartLine int
	EndLine   int // last line, heredoc bodies included
	Heredocs  []parser.Heredoc
	Stage     *Stage // nil for meta ARGs
	// Node is BuildKit's parse of the instruction; its Flags are the
	// instruction's flags as written.
	Node *parser.Node
	// Command is BuildKit's typed instruction: *instructions.EnvCommand,
	// *instructions.ArgCommand, *instructions.RunCommand,
	// *instructions.CopyCommand, *instructions.AddCommand,
	// *instructions.LabelCommand, *instructions.OnbuildCommand, ... For FROM
	// it is *instructions.Stage. It is nil for a CMD, ENTRYPOINT, EXPOSE,
	// USER or WORKDIR that BuildKit accepts (unreadAccepted); the argument
	// of the last two is read with user and workdir.
	Command any
	// Onbuild is the parsed trigger of an ONBUILD instruction, or nil.
	Onbuild *Instruction

	// shell is a RUN's script as the shell façade reads it, set on first
	// use (runCommands); nil until then, and for every other instruction.
	shell     *runShell
	shellOnce sync.Once
	// index is the instruction's place in Dockerfile.Instructions, where
	// the stage lineage keeps what it knows of each instruction; 0 for one
	// that is not there (parseOne's: an ONBUILD trigger, a refused line).
	index int32
}

// Text returns the raw source lines of the instruction joined with newlines,
// comments inside continuations included (BuildKit drops those).
func (in *Instruction) Text(df *Dockerfile) string {
	return strings.Join(df.Lines[in.StartLine-1:min(in.EndLine, len(df.Lines))], "\n")
}

// ParseDockerfile parses src with BuildKit's parser. What BuildKit refuses,
// the whole file or instructions one by one, is listed in Dockerfile.Errors,
// and the rest of the file is still modelled. targets names the stages that
// are built; empty means the last stage. The error is the first reason
// BuildKit refuses the whole file, nil when it does not; it is BuildKit's
// own and may quote the rejected text, which Errors never does.
func ParseDockerfile(path string, src []byte, targets []string) (*Dockerfile, error) {
	df := &Dockerfile{Path: path, Lines: SplitLines(src)}
	res, empty, refusal := parseRecovering(df, src)
	fromNode := false
	defer func() { df.NotDockerfile = df.classifyRefused(empty, fromNode) }()
	if res == nil {
		df.unparsed = true
		return df, refusal
	}
	df.Escape = res.EscapeToken
	var cur *Stage
	byName := map[string]*Stage{}
	// One allocation for the file's instructions, not one each.
	slab := make([]Instruction, len(res.AST.Children))
	df.Instructions = make([]*Instruction, 0, len(res.AST.Children))
	for i, node := range res.AST.Children {
		in := &slab[i]
		*in = Instruction{
			Cmd:       lowerKeyword(node.Value),
			Original:  node.Original,
			StartLine: node.StartLine,
			EndLine:   node.EndLine,
			Heredocs:  node.Heredocs,
			Node:      node,
			index:     int32(len(df.Instructions)),
		}
		fromNode = fromNode || in.Cmd == "from"
		cmd, err := parseInstruction(node, in.Cmd)
		if err != nil {
			df.Errors = append(df.Errors, SyntaxError{Line: node.StartLine, EndLine: node.EndLine,
				Message: sanitizeParseError(err, lineRange(df.Lines, node.StartLine, node.EndLine))})
			continue
		}
		in.Command = cmd
		if ob, ok := cmd.(*instructions.OnbuildCommand); ok {
			in.Onbuild = parseOnbuild(ob.Expression, node)
		}
		if st, ok := cmd.(*instructions.Stage); ok {
			cur = &Stage{Index: len(df.Stages), Name: st.Name, Base: st.BaseName, From: in}
			if b := byName[strings.ToLower(st.BaseName)]; b != nil {
				cur.BaseStage = b
			}
			if st.Name != "" {
				byName[strings.ToLower(st.Name)] = cur
			}
			df.Stages = append(df.Stages, cur)
			in.Stage = cur
		} else if cur == nil {
			if in.Cmd != "arg" {
				df.Errors = append(df.Errors, SyntaxError{Line: node.StartLine, EndLine: node.EndLine, Message: fmt.Sprintf("%s before the first FROM", strings.ToUpper(in.Cmd))})
				continue
			}
			df.MetaArgs = append(df.MetaArgs, in)
		} else {
			in.Stage = cur
		}
		df.Instructions = append(df.Instructions, in)
	}
	df.stageInstructions()
	df.byName = byName
	df.numberStages()
	df.markShipped(targets, byName)
	return df, refusal
}

// stageInstructions sets each stage's Instructions: those after its FROM,
// up to the next FROM, are in a row in df.Instructions, so that each stage
// shares df.Instructions' array (capped, so that an append copies it).
func (df *Dockerfile) stageInstructions() {
	for i, s := range df.Stages {
		from, to := int(s.From.index)+1, len(df.Instructions)
		if i+1 < len(df.Stages) {
			to = int(df.Stages[i+1].From.index)
		}
		if from < to {
			s.Instructions = df.Instructions[from:to:to]
		}
	}
}

// numberStages sets enter and leave of every stage, and preorder.
func (df *Dockerfile) numberStages() {
	if !slices.ContainsFunc(df.Stages, func(s *Stage) bool { return s.BaseStage != nil }) {
		// No stage is built on another, as in most files: each is its own tree.
		for i, s := range df.Stages {
			s.enter, s.leave = i, i
		}
		df.preorder = df.Stages
		return
	}
	children := make(map[*Stage][]*Stage, len(df.Stages))
	var roots []*Stage
	for _, s := range df.Stages {
		if s.BaseStage == nil {
			roots = append(roots, s)
		} else {
			children[s.BaseStage] = append(children[s.BaseStage], s)
		}
	}
	// An explicit stack: a chain of FROM stages is as deep as the file is long.
	type frame struct {
		s    *Stage
		next int
	}
	df.preorder = make([]*Stage, 0, len(df.Stages))
	enter := func(s *Stage) {
		s.enter = len(df.preorder)
		df.preorder = append(df.preorder, s)
	}
	for _, r := range roots {
		enter(r)
		stack := []frame{{s: r}}
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if kids := children[top.s]; top.next < len(kids) {
				c := kids[top.next]
				top.next++
				enter(c)
				stack = append(stack, frame{s: c})
				continue
			}
			top.s.leave = len(df.preorder) - 1
			stack = stack[:len(stack)-1]
		}
	}
}

// builtOn reports whether stage t is s or is built on it, so that t's
// file system holds what s wrote.
func builtOn(t, s *Stage) bool {
	return t != nil && s != nil && s.enter <= t.enter && t.enter <= s.leave
}

// parseOnbuild parses the trigger of an ONBUILD as its own instruction, on
// the ONBUILD's lines.
func parseOnbuild(expr string, at *parser.Node) *Instruction {
	return parseOne(expr, at.StartLine, at.EndLine)
}

// parseOne parses text, one instruction, as an instruction on lines
// start..end; nil when BuildKit rejects it or it holds another number.
func parseOne(text string, start, end int) *Instruction {
	res, err := parser.Parse(strings.NewReader(text))
	if err != nil || len(res.AST.Children) != 1 {
		return nil
	}
	node := res.AST.Children[0]
	keyword := lowerKeyword(node.Value)
	cmd, err := parseInstruction(node, keyword)
	if err != nil {
		return nil
	}
	return &Instruction{
		Cmd: keyword, Original: node.Original,
		StartLine: start, EndLine: end,
		Heredocs: node.Heredocs, Node: node, Command: cmd,
	}
}

// parseInstruction is instructions.ParseInstruction with a linter that
// reports nothing: with the nil linter ParseInstruction passes, BuildKit
// v0.34.2 dereferences nil when a `# check=skip=...` comment precedes the
// instruction (Linter.WithMergedConfigFromComments).
//
// A keyword BuildKit does not know gets its UnknownInstructionError without
// asking BuildKit, which would first rank every keyword by edit distance for
// a suggestion and record a stack trace, for an error that is only read for
// its keyword (sanitizeParseError): a template's hundreds of refused lines
// paid for that each. keyword is node.Value in lower case, which the caller
// has already made.
//
// The kinds that no rule reads typed are not parsed typed when BuildKit
// accepts them whatever their arguments (unreadAccepted): their Command is
// nil.
func parseInstruction(node *parser.Node, keyword string) (any, error) {
	if _, ok := command.Commands[keyword]; !ok {
		return nil, &instructions.UnknownInstructionError{Instruction: node.Value, Line: node.StartLine}
	}
	if unreadAccepted(node, keyword) {
		return nil, nil
	}
	return instructions.ParseInstructionWithLinter(node, silentLinter)
}

// unreadAccepted reports whether node is a CMD, ENTRYPOINT, EXPOSE, USER or
// WORKDIR that BuildKit (v0.34.2, instructions.parseCmd, parseEntrypoint,
// parseExpose, parseUser, parseWorkdir) accepts: those refuse only a flag,
// which none of them defines, EXPOSE no port, and USER and WORKDIR other
// than one argument. No rule reads the first three typed (a type assertion
// on Instruction.Command), and the others only for that argument
// (Instruction.workdir, user); together they are a quarter of the
// instructions of a generated monorepo. Every other kind is parsed typed,
// as BuildKit's other checks are not simple enough to prove here.
func unreadAccepted(node *parser.Node, keyword string) bool {
	if len(node.Flags) > 0 {
		return false
	}
	// BuildKit's arguments are the words of node.Next on (nodeArgs); those
	// of these kinds are plain words, without children.
	switch keyword {
	case command.Cmd, command.Entrypoint:
		return true
	case command.Expose:
		return node.Next != nil && len(node.Next.Children) == 0
	case command.User, command.Workdir:
		return node.Next != nil && len(node.Next.Children) == 0 && node.Next.Next == nil
	}
	return false
}

// workdir returns the folder a WORKDIR names, as written (BuildKit's
// WorkdirCommand.Path, which is not parsed: unreadAccepted).
func (in *Instruction) workdir() (string, bool) {
	return in.argument(command.Workdir)
}

// user returns the user a USER names, as written (BuildKit's
// UserCommand.User, which is not parsed: unreadAccepted).
func (in *Instruction) user() (string, bool) {
	return in.argument(command.User)
}

// argument returns the one argument of an instruction of the keyword, as
// BuildKit's typed parse reads it (nodeArgs).
func (in *Instruction) argument(keyword string) (string, bool) {
	if in.Cmd != keyword || in.Node == nil || in.Node.Next == nil {
		return "", false
	}
	return in.Node.Next.Value, true
}

// lowerKeyword is strings.ToLower for a keyword, without allocating a copy
// for the upper-case keywords that nearly every Dockerfile writes.
func lowerKeyword(v string) string {
	if k, ok := upperKeywords[v]; ok {
		return k
	}
	return strings.ToLower(v)
}

// upperKeywords maps each keyword BuildKit knows, in upper case, to its
// lower-case form.
var upperKeywords = func() map[string]string {
	m := make(map[string]string, len(command.Commands))
	for k := range command.Commands {
		m[strings.ToUpper(k)] = k
	}
	return m
}()

// silentLinter is shared by every parse: without a Warn function a Linter
// records nothing, and merging a comment's config clones it, so concurrent
// use only reads it (a new one per instruction was 3% of the allocations).
var silentLinter = linter.New(&linter.Config{})

// markShipped computes Targets, Shipped and Inherited.
func (df *Dockerfile) markShipped(targets []string, byName map[string]*Stage) {
	if len(df.Stages) == 0 {
		return
	}
	for _, t := range targets {
		if s := byName[strings.ToLower(t)]; s != nil {
			df.Targets = append(df.Targets, s)
		}
	}
	if len(df.Targets) == 0 {
		df.Targets = []*Stage{df.Stages[len(df.Stages)-1]}
	}
	var visit func(s *Stage, inherited bool)
	visit = func(s *Stage, inherited bool) {
		if s.Shipped && (s.Inherited || !inherited) {
			return
		}
		s.Shipped = true
		s.Inherited = s.Inherited || inherited
		if s.BaseStage != nil {
			visit(s.BaseStage, inherited)
		}
		for _, in := range s.Instructions {
			from := copyFrom(in)
			if from == "" {
				continue
			}
			if src := stageRef(from, byName, df.Stages); src != nil && src != s {
				visit(src, false)
			}
		}
	}
	for _, t := range df.Targets {
		visit(t, true)
	}
}

// copyFrom returns the --from of a COPY, or of a RUN --mount=from that is
// bind-mounted (nothing of it persists, so only COPY counts).
func copyFrom(in *Instruction) string {
	if c, ok := in.Command.(*instructions.CopyCommand); ok {
		return c.From
	}
	return ""
}

// stageRef resolves a --from value: a stage name or index, or nil for an image.
func stageRef(ref string, byName map[string]*Stage, stages []*Stage) *Stage {
	if s := byName[strings.ToLower(ref)]; s != nil {
		return s
	}
	var n int
	if _, err := fmt.Sscanf(ref, "%d", &n); err == nil && fmt.Sprint(n) == ref && n >= 0 && n < len(stages) {
		return stages[n]
	}
	return nil
}

// StageRef resolves a COPY --from value of this file to its stage, or nil
// when it names an image.
func (df *Dockerfile) StageRef(ref string) *Stage {
	if df.byName != nil {
		return stageRef(ref, df.byName, df.Stages)
	}
	byName := map[string]*Stage{}
	for _, s := range df.Stages {
		if s.Name != "" {
			byName[strings.ToLower(s.Name)] = s
		}
	}
	return stageRef(ref, byName, df.Stages)
}

// SplitLines splits a file into lines the way a reader sees them: a leading
// UTF-8 BOM removed, LF or CRLF endings, no final empty line.
func SplitLines(src []byte) []string {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	if len(src) == 0 {
		return nil
	}
	s := string(src)
	s = strings.TrimSuffix(s, "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// Locate finds needle in the raw lines of the instruction and returns its
// span; when absent it returns the instruction's first line.
func (df *Dockerfile) Locate(in *Instruction, needle string) Span {
	return LocateIn(df.Lines, in.StartLine, in.EndLine, needle)
}

// LocateIn finds needle in lines[from-1 : to] (1-based, inclusive).
func LocateIn(lines []string, from, to int, needle string) Span {
	if from < 1 {
		from = 1
	}
	if needle != "" {
		for ln := from; ln <= to && ln <= len(lines); ln++ {
			if i := strings.Index(lines[ln-1], needle); i >= 0 {
				return Span{Line: ln, Col: i + 1, EndLine: ln, EndCol: i + 1 + len(needle)}
			}
		}
	}
	return Span{Line: from, EndLine: from}
}

// Whole returns the span of the whole instruction.
func (in *Instruction) Whole() Span {
	return Span{Line: in.StartLine, EndLine: in.EndLine}
}
