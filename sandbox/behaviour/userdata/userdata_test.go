package userdata

import (
	"bytes"
	"compress/gzip"
	"os"
	"strings"
	"testing"
)

func gzipped(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

const mimeHead = "Content-Type: multipart/mixed; boundary=\"==B==\"\nMIME-Version: 1.0\n\n"

func TestSplit(t *testing.T) {
	cases := []struct {
		name  string
		data  []byte
		parts []string // "filename type payload-prefix"
		logs  int
		notes int
	}{
		{"plain script", []byte("#!/bin/bash\necho hi\n"), []string{"part-001 text/x-shellscript #!/bin/bash"}, 0, 0},
		{"plain cloud-config", []byte("#cloud-config\nruncmd: [ls]\n"), []string{"part-001 text/cloud-config #cloud-config"}, 0, 0},
		{"leading blank lines", []byte("\n\n  #!/bin/sh\n"), []string{"part-001 text/x-shellscript "}, 0, 0},
		{"gzip", gzipped("#!/bin/bash\necho z\n"), []string{"part-001 text/x-shellscript #!/bin/bash"}, 0, 0},
		{"boothook", []byte("#cloud-boothook\necho early\n"), []string{"part-001 text/cloud-boothook #cloud-boothook"}, 0, 0},
		{"mime parts and names", []byte(mimeHead +
			"--==B==\nContent-Type: text/x-shellscript\n\n#!/bin/bash\necho a\n" +
			"--==B==\nContent-Type: text/plain\nContent-Disposition: attachment; filename=\"b.sh\"\n\n#!/bin/bash\necho b\n" +
			"--==B==\nContent-Type: text/cloud-config; charset=us-ascii\n\n#cloud-config\n{}\n--==B==--\n"),
			[]string{"part-001 text/x-shellscript #!/bin/bash", "b.sh text/x-shellscript #!/bin/bash", "part-003 text/cloud-config #cloud-config"}, 0, 0},
		{"missing close delimiter", []byte(mimeHead + "--==B==\nContent-Type: text/x-shellscript\n\n#!/bin/bash\necho a\n--==B=="),
			[]string{"part-001 text/x-shellscript #!/bin/bash"}, 0, 0},
		{"data ends inside a part", []byte(mimeHead + "--==B==\nContent-Type: text/x-shellscript\n\n#!/bin/bash\necho a"),
			[]string{"part-001 text/x-shellscript #!/bin/bash\necho a"}, 0, 0},
		{"base64 part", []byte(mimeHead + "--==B==\nContent-Type: text/x-shellscript\nContent-Transfer-Encoding: base64\n\nIyEvYmluL2Jhc2gKZWNobyBiNjQK\n--==B==--\n"),
			[]string{"part-001 text/x-shellscript #!/bin/bash\necho b64"}, 0, 0},
		{"gzip part", append([]byte(mimeHead+"--==B==\nContent-Type: application/x-gzip\n\n"), append(gzipped("#!/bin/bash\n"), []byte("\n--==B==--\n")...)...),
			[]string{"part-001 text/x-shellscript #!/bin/bash"}, 0, 0},
		{"nested multipart", []byte(mimeHead + "--==B==\nContent-Type: multipart/mixed; boundary=in\n\n--in\nContent-Type: text/x-shellscript\n\n#!/bin/sh\n--in--\n--==B==--\n"),
			[]string{"part-001 text/x-shellscript #!/bin/sh"}, 0, 0},
		{"no boundary parameter", []byte("Content-Type: multipart/mixed\nMIME-Version: 1.0\n\nx\n"), nil, 0, 1},
		{"boundary never found", []byte(mimeHead + "nothing\n"), nil, 0, 1},
		{"bad part header", []byte(mimeHead + "--==B==\nbad header line\n\n#!/bin/bash\n--==B==--\n"), nil, 0, 1},
		{"bad gzip part", []byte(mimeHead + "--==B==\nContent-Type: application/gzip\n\nnot gzip\n--==B==--\n"), nil, 1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parts, logs, notes := Split(c.data)
			var got []string
			for _, p := range parts {
				got = append(got, p.Filename+" "+p.ContentType+" "+string(p.Payload))
			}
			if len(got) != len(c.parts) {
				t.Fatalf("parts = %q, want %q", got, c.parts)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], c.parts[i]) {
					t.Errorf("part %d = %q, want prefix %q", i, got[i], c.parts[i])
				}
			}
			if len(logs) != c.logs || len(notes) != c.notes {
				t.Errorf("logs %v, notes %v", logs, notes)
			}
		})
	}
}

func TestConsumeSeed(t *testing.T) {
	raw, err := os.ReadFile("../testdata/seed-userdata.mime")
	if err != nil {
		t.Fatal(err)
	}
	r := Consume(raw)
	if len(r.Scripts) != 1 || r.Scripts[0].Name != "userdata.txt" || !bytes.HasPrefix(r.Scripts[0].Data, []byte("#!/bin/bash\nmkdir -p /usr/cryptokit\n")) {
		t.Fatalf("scripts = %+v", r.Scripts)
	}
	if len(r.Config.FinalModules) != 1 || r.Config.FinalModules[0] != (Module{Name: "scripts-user", Frequency: "always"}) {
		t.Fatalf("final modules = %+v", r.Config.FinalModules)
	}
	if len(r.Logs) != 0 || len(r.Notes) != 0 {
		t.Fatalf("logs %v notes %v", r.Logs, r.Notes)
	}
}

func TestCloudConfigModules(t *testing.T) {
	cases := []struct {
		doc  string
		want []Module
		logs int
	}{
		{"#cloud-config\ncloud_final_modules:\n- scripts_user\n- [final-message, always]\n- {name: keys-to-console, frequency: once}\n",
			[]Module{{"scripts-user", ""}, {"final-message", "always"}, {"keys-to-console", "once"}}, 0},
		{"#cloud-config\ncloud_final_modules:\n- [scripts-user, sometimes]\n", []Module{{"scripts-user", ""}}, 1},
		{"#cloud-config\ncloud_final_modules: []\n", []Module{}, 0},
		{"#cloud-config\npackages: [x]\n", nil, 0},
	}
	for _, c := range cases {
		r := Consume([]byte(c.doc))
		if len(r.Config.FinalModules) != len(c.want) || (c.want == nil) != (r.Config.FinalModules == nil) {
			t.Errorf("%q: modules %+v, want %+v", c.doc, r.Config.FinalModules, c.want)
			continue
		}
		for i := range c.want {
			if r.Config.FinalModules[i] != c.want[i] {
				t.Errorf("%q: module %d = %+v, want %+v", c.doc, i, r.Config.FinalModules[i], c.want[i])
			}
		}
		if len(r.Logs) != c.logs {
			t.Errorf("%q: logs %v", c.doc, r.Logs)
		}
	}
}

func TestCleanFilename(t *testing.T) {
	for in, want := range map[string]string{"userdata.txt": "userdata.txt", "a/b c$.sh": "a_bc.sh", "": "part", "..": "part"} {
		if got := CleanFilename(in); got != want {
			t.Errorf("CleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzConsume(f *testing.F) {
	if raw, err := os.ReadFile("../testdata/seed-userdata.mime"); err == nil {
		f.Add(raw)
	}
	f.Add([]byte(mimeHead + "--==B==\nContent-Type: text/x-shellscript\n\n#!/bin/bash\n--==B=="))
	f.Add(gzipped("#cloud-config\ncloud_final_modules: [[scripts-user, always]]\n"))
	f.Add([]byte("#cloud-config\n: : :\n  - [\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r := Consume(raw)
		for _, s := range r.Scripts {
			if s.Name == "" || strings.Contains(s.Name, "/") {
				t.Fatalf("unsafe script name %q", s.Name)
			}
		}
	})
}

func FuzzCloudConfig(f *testing.F) {
	f.Add([]byte("#cloud-config\ncloud_final_modules:\n- [scripts-user, always]\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("- {name: [1, 2]}\n"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		cfg, _ := LoadCloudConfig(doc)
		if v, ok := cfg.values["cloud_final_modules"]; ok {
			parseModules(v)
		}
	})
}
