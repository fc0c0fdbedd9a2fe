package crontab

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	content := "# comment\nSHELL=/bin/bash\n\n*/15 * * * * /usr/cryptokit/persist.sh\n@reboot /opt/start\n0 3 * * mon echo a%b%c\n"
	entries, errs := Parse([]byte(content), false)
	if len(errs) != 0 || len(entries) != 3 {
		t.Fatalf("entries %+v errs %v", entries, errs)
	}
	e := entries[0]
	if e.Spec != "*/15 * * * *" || e.Command != "/usr/cryptokit/persist.sh" || e.Line != 4 || e.Env[0] != "SHELL=/bin/bash" {
		t.Fatalf("entry = %+v", e)
	}
	at := time.Date(2021, 7, 29, 1, 39, 46, 0, time.UTC)
	if next := e.Next(at); !next.Equal(time.Date(2021, 7, 29, 1, 45, 0, 0, time.UTC)) {
		t.Errorf("next = %s", next)
	}
	if !entries[1].Reboot || !entries[1].Next(at).IsZero() {
		t.Errorf("@reboot = %+v", entries[1])
	}
	if entries[2].Command != "echo a" || entries[2].Input != "b\nc" {
		t.Errorf("percent: %+v", entries[2])
	}
}

func TestParseErrors(t *testing.T) {
	for line, want := range map[string]string{
		"61 * * * * x":     "bad minute",
		"* 25 * * * x":     "bad hour",
		"* * 0 * * x":      "bad day-of-month",
		"* * * 13 * x":     "bad month",
		"* * * * funday x": "bad day-of-week",
		"* * * * *":        "bad command",
		"* *":              "bad day-of-month",
		"@sometimes x":     "bad time specifier",
	} {
		_, errs := Parse([]byte(line+"\n"), false)
		if len(errs) != 1 || errs[0].Msg != want {
			t.Errorf("%q: %v, want %s", line, errs, want)
		}
	}
	if _, errs := Parse([]byte("* * * * *  \n"), true); len(errs) != 1 || errs[0].Msg != "bad username" {
		t.Errorf("system crontab without user: %v", errs)
	}
	if msgs := ParseInstall("f", []byte("* * * * * x")); len(msgs) != 1 || msgs[0] != `"f":0: premature EOF` {
		t.Errorf("missing newline: %v", msgs)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("*/15 * * * * /usr/cryptokit/persist.sh\n"), false)
	f.Add([]byte("@hourly root x\nA=b\n1-5/2 0,12 * jan-mar sun-sat x\n"), true)
	f.Fuzz(func(t *testing.T, content []byte, system bool) {
		entries, _ := Parse(content, system)
		at := time.Date(2021, 7, 29, 1, 39, 46, 0, time.UTC)
		for _, e := range entries {
			if n := e.Next(at); !n.IsZero() && !n.After(at) {
				t.Fatalf("next %s is not after %s", n, at)
			}
		}
	})
}
