package detect

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// TestOptions tune RunTests.
type TestOptions struct {
	// Parameters override every case's and recording's values (the CLI's
	// --param).
	Parameters map[string]string
	// Clock measures durations; time.Now when nil.
	Clock func() time.Time
}

// CaseResult is how one test case went.
type CaseResult struct {
	// Suite is the suite file, relative to the tree's root.
	Suite     string
	Name      string
	Line      int
	Detection string
	Expect    Expectation
	// Passed: the detection behaved as the case expects. Errored: the case
	// could not run (a missing detection or fixture, a parameter that
	// breaks the rule); Message says why.
	Passed   bool
	Errored  bool
	Message  string
	Result   *Result
	Duration time.Duration
}

// TestReport is the outcome of RunTests.
type TestReport struct {
	Root     string
	Cases    []CaseResult
	Problems []*FileProblem
	// Untested lists the detections no case names.
	Untested []string
	Duration time.Duration
}

// Counts returns passed, failed and errored cases; broken files count as
// errors.
func (r *TestReport) Counts() (passed, failed, errored int) {
	for _, c := range r.Cases {
		switch {
		case c.Passed:
			passed++
		case c.Errored:
			errored++
		default:
			failed++
		}
	}
	return passed, failed, errored + len(r.Problems)
}

// OK reports whether every case passed and every file parsed.
func (r *TestReport) OK() bool {
	_, failed, errored := r.Counts()
	return failed == 0 && errored == 0 && len(r.Cases) > 0
}

// RunTests runs every test case under root over its fixtures, in process:
// no AWS, no server.
func RunTests(ctx context.Context, root string, opts TestOptions) (*TestReport, error) {
	clock := opts.Clock
	if clock == nil {
		clock = time.Now
	}
	start := clock()
	tree, err := LoadTree(root)
	if err != nil {
		return nil, err
	}
	rep := &TestReport{Root: root, Problems: tree.Problems}
	covered := map[string]bool{}
	sources := map[string]*FixtureSource{}
	for _, s := range tree.Suites {
		for _, c := range s.Cases {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			caseStart := clock()
			cr := runCase(ctx, tree, s, c, sources, opts)
			cr.Duration = clock().Sub(caseStart)
			if d, err := tree.resolve(s, c.Detection); err == nil {
				covered[d.ID] = true
			}
			rep.Cases = append(rep.Cases, cr)
		}
	}
	for _, d := range tree.Detections {
		if !covered[d.ID] {
			rep.Untested = append(rep.Untested, d.ID)
		}
	}
	sort.Strings(rep.Untested)
	rep.Duration = clock().Sub(start)
	return rep, nil
}

func runCase(ctx context.Context, tree *Tree, s *Suite, c Case, sources map[string]*FixtureSource, opts TestOptions) CaseResult {
	cr := CaseResult{Suite: tree.rel(s.File), Name: c.Name, Line: c.Line, Detection: c.Detection, Expect: c.Expect}
	fail := func(format string, args ...any) CaseResult {
		cr.Errored, cr.Message = true, fmt.Sprintf(format, args...)
		return cr
	}
	d, err := tree.resolve(s, c.Detection)
	if err != nil {
		return fail("%v", err)
	}
	cr.Detection = d.ID
	dir := c.Fixtures
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(filepath.Dir(s.File), dir)
	}
	src, ok := sources[dir]
	if !ok {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fail("fixtures %s (%s): no such directory", c.Fixtures, tree.rel(dir))
		}
		if src, err = OpenFixtures(dir); err != nil {
			return fail("%v", err)
		}
		sources[dir] = src
	}
	values := map[string]string{}
	if rec := src.Recording(); rec != nil {
		for k, v := range rec.Parameters {
			values[k] = v
		}
	}
	for k, v := range c.Parameters {
		if _, declared := d.Parameter(k); !declared {
			return fail("parameter %s: detection %s declares no such parameter", k, d.ID)
		}
		values[k] = v
	}
	for k, v := range opts.Parameters {
		values[k] = v
	}
	b, err := d.Bind(values)
	if err != nil {
		return fail("%v", err)
	}
	w := src.Recording().Window()
	if c.Window != nil {
		w = *c.Window
	}
	res, err := Evaluate(ctx, src, b, w)
	if err != nil {
		if errors.Is(err, ErrNoTelemetry) {
			return fail("detection %s reads %s, which the fixtures %s do not hold (%s)", d.ID, d.Telemetry.Telemetry(), c.Fixtures, d.Telemetry.FixtureFile())
		}
		return fail("%v", err)
	}
	cr.Result = res
	rows := func(n int) string { return plural(n, b.Rule.Kind.Rows()) }
	switch {
	case c.Expect == ExpectQuiet && res.Fired:
		cr.Message = "expected to stay quiet, fired with " + rows(res.Rows)
		if len(res.Evidence) > 0 {
			cr.Message += "; first: " + truncate(res.Evidence[0].String(), 300)
		}
	case c.Expect == ExpectQuiet:
		cr.Passed = true
		cr.Message = fmt.Sprintf("quiet: %s (fires at %d)", rows(res.Rows), b.Fires.MinRows)
	case !res.Fired:
		cr.Message = fmt.Sprintf("expected to fire, got %s (fires at %d) of %d returned", rows(res.Rows), b.Fires.MinRows, res.Returned)
	case c.Rows != nil && res.Rows != *c.Rows:
		cr.Message = fmt.Sprintf("fired, but with %s; expected %d", rows(res.Rows), *c.Rows)
	default:
		cr.Passed = true
		cr.Message = "fired with " + rows(res.Rows)
	}
	return cr
}

// plural is "1 row", "2 rows" (the unit given in the plural).
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + strings.TrimSuffix(unit, "s")
	}
	return fmt.Sprintf("%d %s", n, unit)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
