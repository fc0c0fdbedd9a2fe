package detect

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteText writes the report for people: one line per case (failures
// first in detail), broken files, untested detections, and a closing
// "N passed, N failed" line.
func (r *TestReport) WriteText(w io.Writer, verbose bool) error {
	var b strings.Builder
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "ERROR %s\n", p.File)
		for _, line := range strings.Split(p.Err.Error(), "\n") {
			fmt.Fprintf(&b, "      %s\n", line)
		}
	}
	for _, c := range r.Cases {
		status := "PASS "
		switch {
		case c.Errored:
			status = "ERROR"
		case !c.Passed:
			status = "FAIL "
		}
		fmt.Fprintf(&b, "%s %s — %s (%s:%d)\n", status, c.Detection, c.Name, c.Suite, c.Line)
		if !c.Passed || verbose {
			fmt.Fprintf(&b, "      %s\n", c.Message)
		}
		if verbose && c.Result != nil {
			for i, e := range c.Result.Evidence {
				if i == 3 {
					fmt.Fprintf(&b, "      … %d more\n", len(c.Result.Evidence)-3)
					break
				}
				fmt.Fprintf(&b, "      | %s\n", truncate(e.String(), 200))
			}
		}
	}
	if len(r.Untested) > 0 {
		fmt.Fprintf(&b, "untested: %s\n", strings.Join(r.Untested, ", "))
	}
	passed, failed, errored := r.Counts()
	if len(r.Cases) == 0 && len(r.Problems) == 0 {
		fmt.Fprintf(&b, "no test cases under %s (a suite is a YAML file with a top-level cases list)\n", r.Root)
	}
	fmt.Fprintf(&b, "%d passed, %d failed", passed, failed)
	if errored > 0 {
		fmt.Fprintf(&b, ", %d errors", errored)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

type junitTestsuites struct {
	XMLName  xml.Name         `xml:"testsuites"`
	Name     string           `xml:"name,attr"`
	Tests    int              `xml:"tests,attr"`
	Failures int              `xml:"failures,attr"`
	Errors   int              `xml:"errors,attr"`
	Time     string           `xml:"time,attr"`
	Suites   []junitTestsuite `xml:"testsuite"`
}

type junitTestsuite struct {
	Name     string          `xml:"name,attr"`
	Tests    int             `xml:"tests,attr"`
	Failures int             `xml:"failures,attr"`
	Errors   int             `xml:"errors,attr"`
	Time     string          `xml:"time,attr"`
	Cases    []junitTestcase `xml:"testcase"`
}

type junitTestcase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// WriteJUnit writes the report as JUnit XML: one testsuite per suite file
// (classname = detection ID), and one "files" testsuite with an error per
// file that did not parse.
func (r *TestReport) WriteJUnit(w io.Writer) error {
	out := junitTestsuites{Name: "irdrill detect test", Time: seconds(r.Duration)}
	index := map[string]int{}
	if len(r.Problems) > 0 {
		fs := junitTestsuite{Name: "files", Time: seconds(0)}
		for _, p := range r.Problems {
			fs.Tests++
			fs.Errors++
			fs.Cases = append(fs.Cases, junitTestcase{Name: p.File, Classname: "files", File: p.File, Time: seconds(0),
				Error: &junitProblem{Message: "the file does not parse", Type: "parse", Body: p.Err.Error()}})
		}
		out.Suites = append(out.Suites, fs)
	}
	for _, c := range r.Cases {
		i, ok := index[c.Suite]
		if !ok {
			i = len(out.Suites)
			index[c.Suite] = i
			out.Suites = append(out.Suites, junitTestsuite{Name: c.Suite})
		}
		s := &out.Suites[i]
		tc := junitTestcase{Name: c.Name, Classname: c.Detection, File: c.Suite, Line: c.Line, Time: seconds(c.Duration)}
		s.Tests++
		switch {
		case c.Errored:
			s.Errors++
			tc.Error = &junitProblem{Message: c.Message, Type: "error", Body: c.Message}
		case !c.Passed:
			s.Failures++
			body := c.Message
			if c.Result != nil {
				for i, e := range c.Result.Evidence {
					if i == 5 {
						break
					}
					body += "\n" + truncate(e.String(), 500)
				}
			}
			tc.Failure = &junitProblem{Message: c.Message, Type: string(c.Expect), Body: body}
		default:
			tc.SystemOut = c.Message
		}
		s.Cases = append(s.Cases, tc)
	}
	for i := range out.Suites {
		s := &out.Suites[i]
		var d time.Duration
		for _, c := range r.Cases {
			if c.Suite == s.Name {
				d += c.Duration
			}
		}
		if s.Time == "" {
			s.Time = seconds(d)
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
