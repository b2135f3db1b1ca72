package approval

import (
	"bytes"
	"errors"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/approvedsql/approvedsql/cel"
)

// compileError reports a CEL compile error at its position in the file.
func (l *loader) compileError(ruleNode *yaml.Node, r *Rule, err error) {
	var when *yaml.Node
	for i := 0; i+1 < len(ruleNode.Content); i += 2 {
		if ruleNode.Content[i].Value == "when" {
			when = ruleNode.Content[i+1]
		}
	}
	e := &PolicyError{File: l.file, Rule: r.Name, Msg: err.Error(), Err: err}
	if when != nil {
		e.Line, e.Column = when.Line, when.Column
	}
	var ce *cel.CompileError
	if errors.As(err, &ce) {
		e.Msg = ce.Msg
		if when != nil && ce.Line > 0 {
			e.Line, e.Column = l.exprPosition(when, ce.Line, max(ce.Column, 1))
		}
	}
	l.errs = append(l.errs, e)
}

// exprPosition maps a 1-based (line, column) inside a `when` scalar's text
// to the position in the file. Exact for plain and literal (|) scalars and
// for quoted ones without escapes; for folded and multi-line flow scalars it
// follows YAML's folding of one line break into one space.
func (l *loader) exprPosition(n *yaml.Node, line, col int) (int, int) {
	lines := bytes.Split(l.src, []byte("\n"))
	type seg struct{ line, col, length int }
	var segs []seg
	block := n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0
	if block {
		indent := -1
		for ln := n.Line + 1; ln <= len(lines); ln++ {
			text := strings.TrimRight(string(lines[ln-1]), "\r")
			trimmed := strings.TrimLeft(text, " ")
			if trimmed == "" {
				if indent >= 0 {
					segs = append(segs, seg{ln, indent + 1, 0})
				}
				continue
			}
			ind := len(text) - len(trimmed)
			if indent < 0 {
				indent = ind
			}
			if ind < indent {
				break
			}
			segs = append(segs, seg{ln, indent + 1, len(text) - indent})
		}
	} else {
		start := n.Column
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			start++
		}
		for ln := n.Line; ln <= len(lines); ln++ {
			text := strings.TrimRight(string(lines[ln-1]), "\r")
			if ln == n.Line {
				if start-1 > len(text) {
					break
				}
				segs = append(segs, seg{ln, start, len(text) - (start - 1)})
			} else {
				trimmed := strings.TrimLeft(text, " \t")
				segs = append(segs, seg{ln, len(text) - len(trimmed) + 1, len(trimmed)})
			}
			if len(segs) > 1 && segs[len(segs)-1].length == 0 {
				break
			}
		}
	}
	if len(segs) == 0 {
		return n.Line, n.Column
	}
	if n.Style&yaml.LiteralStyle != 0 {
		if line-1 < len(segs) {
			s := segs[line-1]
			return s.line, s.col + col - 1
		}
		return n.Line, n.Column
	}
	// Folded text: compute the offset within the expression, then walk the
	// source lines, each contributing its length plus one folded space.
	exprLines := strings.Split(n.Value, "\n")
	off := 0
	for i := 0; i < line-1 && i < len(exprLines); i++ {
		off += len(exprLines[i]) + 1
	}
	off += col - 1
	for _, s := range segs {
		if off <= s.length {
			return s.line, s.col + off
		}
		off -= s.length + 1
	}
	return n.Line, n.Column
}
