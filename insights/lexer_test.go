package insights

import (
	"reflect"
	"testing"
)

func lexAll(src string) ([]token, *SyntaxError) {
	lx := &lexer{src: src}
	var out []token
	for {
		t := lx.next()
		if lx.err != nil {
			return out, lx.err
		}
		if t.kind == tkEOF {
			return out, nil
		}
		out = append(out, t)
	}
}

func TestLexerTokens(t *testing.T) {
	type tk struct {
		kind tokenKind
		text string
	}
	tests := []struct {
		src  string
		want []tk
	}{
		{"fields @timestamp, userIdentity.arn", []tk{{tkIdent, "fields"}, {tkIdent, "@timestamp"}, {tkComma, ","}, {tkIdent, "userIdentity.arn"}}},
		{"items.0.instanceId", []tk{{tkIdent, "items.0.instanceId"}}},
		{"`foo-bar` event-name", []tk{{tkIdent, "foo-bar"}, {tkIdent, "event"}, {tkOp, "-"}, {tkIdent, "name"}}},
		{"@`aws.tag.aws:cloudformation:stack-name`", []tk{{tkIdent, "@aws.tag.aws:cloudformation:stack-name"}}},
		{"m.`user.id`", []tk{{tkIdent, "m.user.id"}}},
		{"bin(5m) 30s 1hrs 2.5", []tk{{tkIdent, "bin"}, {tkLParen, "("}, {tkDuration, "5"}, {tkRParen, ")"}, {tkDuration, "30"}, {tkDuration, "1"}, {tkNumber, "2.5"}}},
		{`"a\"b" 'c#d' "x\dy"`, []tk{{tkString, `a"b`}, {tkString, "c#d"}, {tkString, `x\dy`}}},
		{"a # comment | b\n| c", []tk{{tkIdent, "a"}, {tkPipe, "|"}, {tkIdent, "c"}}},
		{"a != b =~ c <= d >= e < f > g = h", []tk{{tkIdent, "a"}, {tkOp, "!="}, {tkIdent, "b"}, {tkOp, "=~"}, {tkIdent, "c"}, {tkOp, "<="}, {tkIdent, "d"}, {tkOp, ">="}, {tkIdent, "e"}, {tkOp, "<"}, {tkIdent, "f"}, {tkOp, ">"}, {tkIdent, "g"}, {tkOp, "="}, {tkIdent, "h"}}},
		{"x[1].y", []tk{{tkIdent, "x"}, {tkLBrack, "["}, {tkNumber, "1"}, {tkRBrack, "]"}, {tkDot, "."}, {tkIdent, "y"}}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			toks, err := lexAll(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			var got []tk
			for _, x := range toks {
				got = append(got, tk{x.kind, x.text})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLexerUnits(t *testing.T) {
	toks, err := lexAll("5min 10ms")
	if err != nil {
		t.Fatal(err)
	}
	if toks[0].unit != "min" || toks[1].unit != "ms" {
		t.Fatalf("units = %q, %q", toks[0].unit, toks[1].unit)
	}
}

func TestLexerRegexIsContextual(t *testing.T) {
	lx := &lexer{src: "/a\\/b(?i)x/ rest"}
	first := lx.next()
	if first.kind != tkOp || first.text != "/" {
		t.Fatalf("first token %v", first)
	}
	re := lx.lexRegex(first.start)
	if re.kind != tkRegex || re.text != "a/b(?i)x" {
		t.Fatalf("regex token %+v", re)
	}
	if next := lx.next(); next.text != "rest" {
		t.Fatalf("after regex: %+v", next)
	}
}

func TestLexerErrors(t *testing.T) {
	tests := []struct {
		src       string
		line, col int
	}{
		{`filter a = "open`, 1, 12},
		{"fields a\n| filter `b", 2, 10},
		{"fields a ; b", 1, 10},
		{"fields a ! b", 1, 10},
	}
	for _, tt := range tests {
		_, err := lexAll(tt.src)
		if err == nil {
			t.Fatalf("%q: no error", tt.src)
		}
		if err.Line != tt.line || err.Column != tt.col {
			t.Errorf("%q: error at %d:%d, want %d:%d (%v)", tt.src, err.Line, err.Column, tt.line, tt.col, err)
		}
	}
}
