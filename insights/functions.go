package insights

import (
	"encoding/base64"
	"encoding/hex"
	"math"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// funcSpec describes one scalar or aggregate function. Scalar functions
// receive their evaluated arguments; exactly one of eval1, eval2 or evalN
// is set so that one- and two-argument calls need no argument slice.
type funcSpec struct {
	minArgs, maxArgs int // maxArgs < 0: variadic
	agg              bool
	// check validates the call at parse time (literal arguments, periods).
	check func(c *callExpr) (msg string, bad expr)
	eval1 func(a value) value
	eval2 func(a, b value) value
	evalN func(rc *runContext, args []value) value
	// compile builds special forms (bin, datefloor, now, ...) that need
	// the run context or literal arguments.
	compile func(c *callExpr, args []evalFn) evalFn
}

var functions map[string]*funcSpec

var aggregateNames = map[string]bool{
	"avg": true, "count": true, "count_distinct": true, "max": true, "min": true, "pct": true,
	"stddev": true, "sum": true, "earliest": true, "latest": true, "sortsfirst": true, "sortslast": true,
}

func lookupFunction(name string) (*funcSpec, bool) {
	f, ok := functions[strings.ToLower(name)]
	return f, ok
}

func init() {
	functions = map[string]*funcSpec{
		// Aggregations (evaluated by stats; see aggregate.go).
		"avg": {minArgs: 1, maxArgs: 1, agg: true}, "count": {minArgs: 0, maxArgs: 1, agg: true},
		"count_distinct": {minArgs: 1, maxArgs: 1, agg: true}, "max": {minArgs: 1, maxArgs: 1, agg: true},
		"min": {minArgs: 1, maxArgs: 1, agg: true}, "stddev": {minArgs: 1, maxArgs: 1, agg: true},
		"sum": {minArgs: 1, maxArgs: 1, agg: true}, "earliest": {minArgs: 1, maxArgs: 1, agg: true},
		"latest": {minArgs: 1, maxArgs: 1, agg: true}, "sortsfirst": {minArgs: 1, maxArgs: 1, agg: true},
		"sortslast": {minArgs: 1, maxArgs: 1, agg: true},
		"pct":       {minArgs: 2, maxArgs: 2, agg: true, check: checkPct},

		// Numeric.
		"abs":       num1(math.Abs),
		"ceil":      num1(math.Ceil),
		"floor":     num1(math.Floor),
		"log":       num1(math.Log),
		"sqrt":      num1(math.Sqrt),
		"greatest":  {minArgs: 1, maxArgs: -1, evalN: func(_ *runContext, a []value) value { return extreme(a, 1) }},
		"least":     {minArgs: 1, maxArgs: -1, evalN: func(_ *runContext, a []value) value { return extreme(a, -1) }},
		"round":     {minArgs: 1, maxArgs: 2, evalN: fnRound},
		"haversine": {minArgs: 4, maxArgs: 4, evalN: fnHaversine},
		"tonumber":  {minArgs: 1, maxArgs: 1, eval1: func(a value) value { return toNumeric(a, 0) }},
		"todouble":  {minArgs: 1, maxArgs: 1, eval1: func(a value) value { return toNumeric(a, 0) }},
		"toint":     {minArgs: 1, maxArgs: 1, eval1: func(a value) value { return toNumeric(a, 32) }},
		"tolong":    {minArgs: 1, maxArgs: 1, eval1: func(a value) value { return toNumeric(a, 64) }},

		// String.
		"isempty": {minArgs: 1, maxArgs: 1, eval1: func(a value) value {
			s, ok := a.asString()
			return bool01(!ok || s == "")
		}},
		"isblank": {minArgs: 1, maxArgs: 1, eval1: func(a value) value {
			s, ok := a.asString()
			return bool01(!ok || strings.TrimSpace(s) == "")
		}},
		"concat":       {minArgs: 1, maxArgs: -1, evalN: fnConcat},
		"ltrim":        {minArgs: 1, maxArgs: 2, evalN: func(_ *runContext, a []value) value { return fnTrim(a, true, false) }},
		"rtrim":        {minArgs: 1, maxArgs: 2, evalN: func(_ *runContext, a []value) value { return fnTrim(a, false, true) }},
		"trim":         {minArgs: 1, maxArgs: 2, evalN: func(_ *runContext, a []value) value { return fnTrim(a, true, true) }},
		"strlen":       str1(func(s string) value { return numValue(float64(utf8.RuneCountInString(s))) }),
		"toupper":      str1(func(s string) value { return strValue(strings.ToUpper(s)) }),
		"tolower":      str1(func(s string) value { return strValue(strings.ToLower(s)) }),
		"substr":       {minArgs: 2, maxArgs: 3, evalN: fnSubstr},
		"replace":      {minArgs: 3, maxArgs: 3, evalN: fnReplace},
		"strcontains":  {minArgs: 2, maxArgs: 3, evalN: fnStrcontains},
		"regexreplace": {minArgs: 3, maxArgs: 3, check: checkRegexArg(1), compile: compileRegexReplace},
		"startswith":   str2(func(s, p string) value { return bool01(strings.HasPrefix(s, p)) }),
		"endswith":     str2(func(s, p string) value { return bool01(strings.HasSuffix(s, p)) }),
		"urlencode":    str1(func(s string) value { return strValue(url.QueryEscape(s)) }),
		"urldecode": str1(func(s string) value {
			d, err := url.QueryUnescape(s)
			if err != nil {
				return nullValue
			}
			return strValue(d)
		}),
		"base64encode": str1(func(s string) value { return strValue(base64.StdEncoding.EncodeToString([]byte(s))) }),
		"base64decode": str1(func(s string) value {
			d, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				if d, err = base64.RawStdEncoding.DecodeString(s); err != nil {
					return nullValue
				}
			}
			return strValue(string(d))
		}),
		"split": str2(func(s, sep string) value {
			parts := strings.Split(s, sep)
			l := make([]any, len(parts))
			for i, p := range parts {
				l[i] = p
			}
			return value{kind: kList, c: l}
		}),
		"hextoascii": str1(func(s string) value {
			d, err := hex.DecodeString(trimHexPrefix(s))
			if err != nil {
				return nullValue
			}
			return strValue(string(d))
		}),
		"hextodec": str1(func(s string) value {
			neg := strings.HasPrefix(s, "-")
			n, err := strconv.ParseUint(trimHexPrefix(strings.TrimPrefix(s, "-")), 16, 64)
			if err != nil {
				return nullValue
			}
			if neg {
				return numValue(-float64(n))
			}
			return numValue(float64(n))
		}),
		"dectohex": {minArgs: 1, maxArgs: 1, eval1: func(a value) value {
			f, ok := a.asNumber()
			if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
				return nullValue
			}
			n := int64(f)
			if n < 0 {
				return strValue("-0x" + strconv.FormatUint(uint64(-n), 16))
			}
			return strValue("0x" + strconv.FormatUint(uint64(n), 16))
		}},

		// Datetime.
		// bin is compiled by the compiler itself: it reads @timestamp in the
		// current scope (AWS: "bin always implicitly uses the @timestamp field").
		"bin":       {minArgs: 1, maxArgs: 1, check: checkPeriodArg(0)},
		"datefloor": {minArgs: 2, maxArgs: 2, check: checkPeriodArg(1), compile: compileDateRound(floorTime)},
		"dateceil":  {minArgs: 2, maxArgs: 2, check: checkPeriodArg(1), compile: compileDateRound(ceilTime)},
		"frommillis": {minArgs: 1, maxArgs: 1, eval1: func(a value) value {
			f, ok := a.asNumber()
			if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
				return nullValue
			}
			return timeValue(int64(f))
		}},
		"tomillis": {minArgs: 1, maxArgs: 1, eval1: func(a value) value {
			ms, ok := toMillis(a)
			if !ok {
				return nullValue
			}
			return numValue(float64(ms))
		}},
		"now":            {minArgs: 0, maxArgs: 0, evalN: func(rc *runContext, _ []value) value { return numValue(float64(rc.now.Unix())) }},
		"querystarttime": {minArgs: 0, maxArgs: 0, evalN: func(rc *runContext, _ []value) value { return windowValue(rc.start) }},
		"queryendtime":   {minArgs: 0, maxArgs: 0, evalN: func(rc *runContext, _ []value) value { return windowValue(rc.end) }},
		"querytimerange": {minArgs: 0, maxArgs: 0, evalN: func(rc *runContext, _ []value) value {
			if rc.start.IsZero() || rc.end.IsZero() {
				return nullValue
			}
			return numValue(float64(rc.end.Sub(rc.start).Milliseconds()))
		}},
		"parsedate":  {minArgs: 2, maxArgs: 3, evalN: fnParseDate},
		"formatdate": {minArgs: 2, maxArgs: 3, evalN: fnFormatDate},
		"strftime":   {minArgs: 2, maxArgs: 3, evalN: fnFormatDate},

		// General.
		"ispresent": {minArgs: 1, maxArgs: 1, eval1: func(a value) value { return boolValue(!a.isNull()) }},
		"coalesce": {minArgs: 1, maxArgs: -1, evalN: func(_ *runContext, a []value) value {
			for _, v := range a {
				if !v.isNull() {
					return v
				}
			}
			return nullValue
		}},
		"case":        {minArgs: 2, maxArgs: 21, evalN: fnCase},
		"if":          {minArgs: 3, maxArgs: 3, evalN: fnIf},
		"isnumeric":   {minArgs: 1, maxArgs: 1, eval1: func(a value) value { _, ok := a.asNumber(); return boolValue(ok && !a.isComposite()) }},
		"messagesize": str1(func(s string) value { return numValue(float64(len(s))) }),

		// JSON.
		"jsonparse": {minArgs: 1, maxArgs: 1, eval1: fnJSONParse},
		"jsonstringify": {minArgs: 1, maxArgs: 1, eval1: func(a value) value {
			if !a.isComposite() {
				return nullValue
			}
			return strValue(jsonStringify(a.c))
		}},
		"jsonarraysize": {minArgs: 1, maxArgs: 1, eval1: func(a value) value {
			l, ok := asList(a)
			if !ok {
				return nullValue
			}
			return numValue(float64(len(l)))
		}},
		"jsonarraycontains": {minArgs: 2, maxArgs: 2, eval2: func(a, b value) value {
			l, ok := asList(a)
			want, ok2 := b.asString()
			if !ok || !ok2 {
				return boolValue(false)
			}
			for _, e := range l {
				if s, ok := fromJSON(e).asString(); ok && s == want {
					return boolValue(true)
				}
			}
			return boolValue(false)
		}},

		// IP addresses.
		"isvalidip":      ip1(func(a netip.Addr) bool { return true }),
		"isvalidipv4":    ip1(func(a netip.Addr) bool { return a.Is4() }),
		"isvalidipv6":    ip1(func(a netip.Addr) bool { return a.Is6() }),
		"isipinsubnet":   ipSubnet(func(a netip.Addr, p netip.Prefix) bool { return a.BitLen() == p.Addr().BitLen() }),
		"isipv4insubnet": ipSubnet(func(a netip.Addr, p netip.Prefix) bool { return a.Is4() && p.Addr().Is4() }),
		"isipv6insubnet": ipSubnet(func(a netip.Addr, p netip.Prefix) bool { return a.Is6() && p.Addr().Is6() }),
		"ipv4tonumber": str1(func(s string) value {
			a, err := netip.ParseAddr(s)
			if err != nil || !a.Is4() {
				return nullValue
			}
			b := a.As4()
			return numValue(float64(uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])))
		}),
		"isprivateip":  ip1(func(a netip.Addr) bool { return a.IsPrivate() }),
		"ispublicip":   ip1(func(a netip.Addr) bool { return !isReservedAddr(a) }),
		"isreservedip": ip1(isReservedAddr),

		// Data protection: masking is not modelled, so unmask is the identity.
		"unmask": {minArgs: 1, maxArgs: 1, eval1: func(a value) value { return a }},
	}
}

func num1(f func(float64) float64) *funcSpec {
	return &funcSpec{minArgs: 1, maxArgs: 1, eval1: func(a value) value {
		x, ok := a.asNumber()
		if !ok {
			return nullValue
		}
		r := f(x)
		if math.IsNaN(r) {
			return nullValue
		}
		return numValue(r)
	}}
}

func str1(f func(string) value) *funcSpec {
	return &funcSpec{minArgs: 1, maxArgs: 1, eval1: func(a value) value {
		s, ok := a.asString()
		if !ok {
			return nullValue
		}
		return f(s)
	}}
}

func str2(f func(a, b string) value) *funcSpec {
	return &funcSpec{minArgs: 2, maxArgs: 2, eval2: func(a, b value) value {
		x, ok := a.asString()
		y, ok2 := b.asString()
		if !ok || !ok2 {
			return nullValue
		}
		return f(x, y)
	}}
}

func bool01(b bool) value {
	if b {
		return numValue(1)
	}
	return numValue(0)
}

func parseAddr(v value) (netip.Addr, bool) {
	s, ok := v.asString()
	if !ok {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a, true
}

func ip1(f func(netip.Addr) bool) *funcSpec {
	return &funcSpec{minArgs: 1, maxArgs: 1, eval1: func(a value) value {
		addr, ok := parseAddr(a)
		return boolValue(ok && f(addr))
	}}
}

// ipSubnet builds the isIp*InSubnet functions. A CIDR with host bits set
// (192.0.2.5/24) is accepted and masked, and IPv4-mapped IPv6 addresses are
// not treated as IPv4; AWS documents neither case.
func ipSubnet(familyOK func(netip.Addr, netip.Prefix) bool) *funcSpec {
	return &funcSpec{minArgs: 2, maxArgs: 2, eval2: func(a, b value) value {
		addr, ok := parseAddr(a)
		cidr, ok2 := b.asString()
		if !ok || !ok2 {
			return boolValue(false)
		}
		p, err := netip.ParsePrefix(strings.TrimSpace(cidr))
		if err != nil {
			return boolValue(false)
		}
		return boolValue(familyOK(addr, p) && p.Masked().Contains(addr))
	}}
}

var reservedPrefixes = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
		"::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "100::/64", "2001::/23", "2001:db8::/32",
		"fc00::/7", "fe80::/10", "ff00::/8",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// isReservedAddr reports membership of the IANA special-purpose registries.
func isReservedAddr(a netip.Addr) bool {
	for _, p := range reservedPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func extreme(args []value, sign int) value {
	var best float64
	found := false
	for _, a := range args {
		f, ok := a.asNumber()
		if !ok || math.IsNaN(f) {
			continue
		}
		if !found || (sign > 0 && f > best) || (sign < 0 && f < best) {
			best, found = f, true
		}
	}
	if !found {
		return nullValue
	}
	return numValue(best)
}

// fnRound rounds half away from zero (AWS does not say which rule it uses).
func fnRound(_ *runContext, a []value) value {
	x, ok := a[0].asNumber()
	if !ok {
		return nullValue
	}
	if len(a) == 1 {
		return numValue(math.Round(x))
	}
	d, ok := a[1].asNumber()
	if !ok {
		return nullValue
	}
	scale := math.Pow(10, math.Trunc(d))
	return numValue(math.Round(x*scale) / scale)
}

// fnHaversine uses a mean Earth radius of 6371 km (AWS does not say which).
func fnHaversine(_ *runContext, a []value) value {
	var v [4]float64
	for i := range v {
		f, ok := a[i].asNumber()
		if !ok {
			return nullValue
		}
		v[i] = f * math.Pi / 180
	}
	dLat, dLon := v[2]-v[0], v[3]-v[1]
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(v[0])*math.Cos(v[2])*math.Sin(dLon/2)*math.Sin(dLon/2)
	return numValue(2 * 6371 * math.Asin(math.Min(1, math.Sqrt(h))))
}

func toNumeric(a value, bits int) value {
	f, ok := a.asNumber()
	if !ok || a.isComposite() {
		return nullValue
	}
	switch bits {
	case 32:
		t := math.Trunc(f)
		if t > math.MaxInt32 || t < math.MinInt32 || math.IsNaN(t) {
			return nullValue
		}
		return numValue(t)
	case 64:
		t := math.Trunc(f)
		if t >= math.MaxInt64 || t < math.MinInt64 || math.IsNaN(t) {
			return nullValue
		}
		return numValue(t)
	}
	return numValue(f)
}

// fnConcat treats missing arguments as empty strings; it is null only when
// every argument is (AWS does not say).
func fnConcat(_ *runContext, a []value) value {
	var sb strings.Builder
	any := false
	for _, v := range a {
		if s, ok := v.asString(); ok {
			sb.WriteString(s)
			any = true
		}
	}
	if !any {
		return nullValue
	}
	return strValue(sb.String())
}

// fnTrim strips white space, or with a second argument the characters of
// that set (not a prefix/suffix string: trim("xyZxyfooxyxyZ","xyZ") is "foo").
func fnTrim(a []value, left, right bool) value {
	s, ok := a[0].asString()
	if !ok {
		return nullValue
	}
	if len(a) == 1 {
		if left {
			s = strings.TrimLeftFunc(s, unicode.IsSpace)
		}
		if right {
			s = strings.TrimRightFunc(s, unicode.IsSpace)
		}
		return strValue(s)
	}
	set, ok := a[1].asString()
	if !ok {
		return nullValue
	}
	if left {
		s = strings.TrimLeft(s, set)
	}
	if right {
		s = strings.TrimRight(s, set)
	}
	return strValue(s)
}

// fnSubstr uses 0-based code-point indexes; out-of-range starts give "" and
// lengths are clipped (AWS leaves both undocumented).
func fnSubstr(_ *runContext, a []value) value {
	s, ok := a[0].asString()
	start, ok2 := a[1].asNumber()
	if !ok || !ok2 || math.IsNaN(start) {
		return nullValue
	}
	runes := []rune(s)
	from := int(math.Max(0, math.Min(float64(len(runes)), math.Trunc(start))))
	to := len(runes)
	if len(a) == 3 {
		n, ok := a[2].asNumber()
		if !ok || math.IsNaN(n) {
			return nullValue
		}
		if n < 0 {
			n = 0
		}
		to = int(math.Min(float64(len(runes)), float64(from)+math.Trunc(n)))
	}
	return strValue(string(runes[from:to]))
}

func fnReplace(_ *runContext, a []value) value {
	s, ok := a[0].asString()
	old, ok2 := a[1].asString()
	repl, ok3 := a[2].asString()
	if !ok || !ok2 || !ok3 {
		return nullValue
	}
	if old == "" {
		return strValue(s)
	}
	return strValue(strings.ReplaceAll(s, old, repl))
}

func fnStrcontains(_ *runContext, a []value) value {
	s, ok := a[0].asString()
	sub, ok2 := a[1].asString()
	if !ok || !ok2 {
		return nullValue
	}
	if len(a) == 3 {
		if b, ok := a[2].truth(); ok && b {
			return bool01(strings.Contains(strings.ToLower(s), strings.ToLower(sub)))
		}
	}
	return bool01(strings.Contains(s, sub))
}

func checkRegexArg(i int) func(c *callExpr) (string, expr) {
	return func(c *callExpr) (string, expr) {
		if l, ok := c.args[i].(*literal); ok && l.val.kind == kStr {
			if _, err := regexp.Compile(l.val.s); err != nil {
				return "invalid regular expression: " + err.Error(), c.args[i]
			}
		}
		return "", nil
	}
}

func compileRegexReplace(c *callExpr, args []evalFn) evalFn {
	var fixed *regexp.Regexp
	switch l := c.args[1].(type) {
	case *literal:
		if l.val.kind == kStr {
			fixed = regexp.MustCompile(l.val.s)
		}
	case *regexLit:
		fixed = l.re
	}
	return func(ctx *evalCtx) value {
		s, ok := args[0](ctx).asString()
		repl, ok2 := args[2](ctx).asString()
		if !ok || !ok2 {
			return nullValue
		}
		re := fixed
		if re == nil {
			p, ok := args[1](ctx).asString()
			if !ok {
				return nullValue
			}
			var err error
			if re, err = regexp.Compile(p); err != nil {
				return nullValue
			}
		}
		return strValue(re.ReplaceAllString(s, repl))
	}
}

func trimHexPrefix(s string) string {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return s[2:]
	}
	return s
}

func checkPeriodArg(i int) func(c *callExpr) (string, expr) {
	return func(c *callExpr) (string, expr) {
		if _, ok := c.args[i].(*periodLit); !ok {
			return c.name + " needs a time period such as 5m as its last argument", c.args[i]
		}
		return "", nil
	}
}

func checkPct(c *callExpr) (string, expr) {
	l, ok := c.args[1].(*literal)
	if !ok || l.val.kind != kNum || l.val.n < 0 || l.val.n > 100 {
		return "the second argument of pct must be a number between 0 and 100", c.args[1]
	}
	return "", nil
}

func compileDateRound(round func(ms, n int64, u timeUnit) int64) func(c *callExpr, args []evalFn) evalFn {
	return func(c *callExpr, args []evalFn) evalFn {
		p := c.args[1].(*periodLit)
		return func(ctx *evalCtx) value {
			ms, ok := args[0](ctx).asTime()
			if !ok {
				return nullValue
			}
			return timeValue(round(ms, p.n, p.unit))
		}
	}
}

// toMillis accepts a timestamp, epoch milliseconds, or timestamp text in
// the @timestamp rendering or ISO 8601 form.
func toMillis(v value) (int64, bool) {
	if v.kind == kStr {
		if _, ok := parseNumber(v.s); !ok {
			return parseTimestampText(v.s)
		}
	}
	return v.asTime()
}

var timestampLayouts = []string{
	"2006-01-02 15:04:05.000", "2006-01-02 15:04:05", time.RFC3339Nano, "2006-01-02T15:04:05.000Z07:00",
	"2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02",
}

func parseTimestampText(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMilli(), true
		}
	}
	return 0, false
}

func windowValue(t time.Time) value {
	if t.IsZero() {
		return nullValue
	}
	return numValue(float64(t.UnixMilli()))
}

func fnCase(_ *runContext, a []value) value {
	i := 0
	for ; i+1 < len(a); i += 2 {
		if b, ok := a[i].truth(); ok && b {
			return a[i+1]
		}
	}
	if i < len(a) {
		return a[i]
	}
	return nullValue
}

func fnIf(_ *runContext, a []value) value {
	if b, ok := a[0].truth(); ok && b {
		return a[1]
	}
	return a[2]
}

func fnJSONParse(a value) value {
	if a.isComposite() {
		return a
	}
	s, ok := a.asString()
	if !ok {
		return nullValue
	}
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return nullValue
	}
	x, ok := decodeJSONOrdered(t)
	if !ok {
		return nullValue
	}
	return fromJSON(x)
}

func asList(a value) ([]any, bool) {
	if a.kind == kList {
		return a.c.([]any), true
	}
	if a.kind != kStr {
		return nil, false
	}
	v := fnJSONParse(a)
	if v.kind != kList {
		return nil, false
	}
	return v.c.([]any), true
}

func location(a []value, i int) (*time.Location, bool) {
	if len(a) <= i {
		return time.UTC, true
	}
	name, ok := a[i].asString()
	if !ok {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	return loc, true
}

// fnParseDate parses with a Java DateTimeFormatter pattern, translated to a
// Go layout for the common letters (y M d H h m s S a X Z z E); other
// letters make the call null.
func fnParseDate(_ *runContext, a []value) value {
	s, ok := a[0].asString()
	pattern, ok2 := a[1].asString()
	loc, ok3 := location(a, 2)
	if !ok || !ok2 || !ok3 {
		return nullValue
	}
	layout, ok := javaToGoLayout(pattern)
	if !ok {
		return nullValue
	}
	t, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		return nullValue
	}
	return numValue(float64(t.UnixMilli()))
}

func javaToGoLayout(p string) (string, bool) {
	var sb strings.Builder
	for i := 0; i < len(p); {
		c := p[i]
		if c == '\'' {
			j := strings.IndexByte(p[i+1:], '\'')
			if j < 0 {
				return "", false
			}
			sb.WriteString(p[i+1 : i+1+j])
			i += j + 2
			continue
		}
		n := 1
		for i+n < len(p) && p[i+n] == c {
			n++
		}
		i += n
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			sb.WriteString(strings.Repeat(string(c), n))
			continue
		}
		var g string
		switch c {
		case 'y', 'u':
			g = "2006"
			if n == 2 {
				g = "06"
			}
		case 'M':
			g = map[int]string{1: "1", 2: "01", 3: "Jan"}[min(n, 4)]
			if n >= 4 {
				g = "January"
			}
		case 'd':
			g = map[bool]string{true: "2", false: "02"}[n == 1]
		case 'H':
			g = "15"
		case 'h':
			g = map[bool]string{true: "3", false: "03"}[n == 1]
		case 'm':
			g = map[bool]string{true: "4", false: "04"}[n == 1]
		case 's':
			g = map[bool]string{true: "5", false: "05"}[n == 1]
		case 'S':
			g = strings.Repeat("0", n)
			if sb.Len() == 0 || !strings.HasSuffix(sb.String(), ".") && !strings.HasSuffix(sb.String(), ",") {
				return "", false
			}
		case 'a':
			g = "PM"
		case 'E':
			g = "Mon"
			if n >= 4 {
				g = "Monday"
			}
		case 'X':
			g = map[int]string{1: "Z07", 2: "Z0700", 3: "Z07:00"}[min(n, 3)]
		case 'x':
			g = map[int]string{1: "-07", 2: "-0700", 3: "-07:00"}[min(n, 3)]
		case 'Z':
			g = "-0700"
		case 'z':
			g = "MST"
		default:
			return "", false
		}
		sb.WriteString(g)
	}
	return sb.String(), true
}

// fnFormatDate formats with strftime directives (%Y %m %d %H %M %S %L for
// milliseconds, %j %a %A %b %B %p %y %e %I %Z %z %s %%).
func fnFormatDate(_ *runContext, a []value) value {
	ms, ok := toMillis(a[0])
	format, ok2 := a[1].asString()
	loc, ok3 := location(a, 2)
	if !ok || !ok2 || !ok3 {
		return nullValue
	}
	t := time.UnixMilli(ms).In(loc)
	var sb strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 >= len(format) {
			sb.WriteByte(c)
			continue
		}
		i++
		switch format[i] {
		case 'Y':
			sb.WriteString(t.Format("2006"))
		case 'y':
			sb.WriteString(t.Format("06"))
		case 'm':
			sb.WriteString(t.Format("01"))
		case 'd':
			sb.WriteString(t.Format("02"))
		case 'e':
			sb.WriteString(t.Format("_2"))
		case 'H':
			sb.WriteString(t.Format("15"))
		case 'I':
			sb.WriteString(t.Format("03"))
		case 'M':
			sb.WriteString(t.Format("04"))
		case 'S':
			sb.WriteString(t.Format("05"))
		case 'L', 'f':
			sb.WriteString(t.Format(".000")[1:])
		case 'j':
			sb.WriteString(t.Format("002"))
		case 'a':
			sb.WriteString(t.Format("Mon"))
		case 'A':
			sb.WriteString(t.Format("Monday"))
		case 'b', 'h':
			sb.WriteString(t.Format("Jan"))
		case 'B':
			sb.WriteString(t.Format("January"))
		case 'p':
			sb.WriteString(t.Format("PM"))
		case 'Z':
			sb.WriteString(t.Format("MST"))
		case 'z':
			sb.WriteString(t.Format("-0700"))
		case 's':
			sb.WriteString(strconv.FormatInt(t.Unix(), 10))
		case 'F':
			sb.WriteString(t.Format("2006-01-02"))
		case 'T':
			sb.WriteString(t.Format("15:04:05"))
		case '%':
			sb.WriteByte('%')
		default:
			sb.WriteByte('%')
			sb.WriteByte(format[i])
		}
	}
	return strValue(sb.String())
}
