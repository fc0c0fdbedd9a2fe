package insights

import (
	"strings"
	"time"
)

type timeUnit int

const (
	unitMillisecond timeUnit = iota
	unitSecond
	unitMinute
	unitHour
	unitDay
	unitWeek
	unitMonth
	unitQuarter
	unitYear
)

// unitSpellings is AWS's list of bin() unit spellings; every spelling longer
// than one character may also take a plural "s".
var unitSpellings = map[string]timeUnit{
	"millisecond": unitMillisecond, "ms": unitMillisecond, "msec": unitMillisecond,
	"second": unitSecond, "s": unitSecond, "sec": unitSecond,
	"minute": unitMinute, "m": unitMinute, "min": unitMinute,
	"hour": unitHour, "h": unitHour, "hr": unitHour,
	"day": unitDay, "d": unitDay,
	"week": unitWeek, "w": unitWeek,
	"month": unitMonth, "mo": unitMonth, "mon": unitMonth,
	"quarter": unitQuarter, "q": unitQuarter, "qtr": unitQuarter,
	"year": unitYear, "y": unitYear, "yr": unitYear,
}

// parseTimeUnit accepts a unit spelling case-insensitively.
func parseTimeUnit(s string) (timeUnit, bool) {
	s = strings.ToLower(s)
	if u, ok := unitSpellings[s]; ok {
		return u, true
	}
	if len(s) > 2 && strings.HasSuffix(s, "s") {
		if u, ok := unitSpellings[s[:len(s)-1]]; ok {
			return u, true
		}
	}
	return 0, false
}

// capPeriod applies AWS's documented caps: ms ≤ 1000, s and m ≤ 60, h ≤ 24
// (bin(300s) runs as 60 s). AWS documents no caps for larger units, so none
// are applied.
func capPeriod(n int64, u timeUnit) int64 {
	switch u {
	case unitMillisecond:
		return min(n, 1000)
	case unitSecond, unitMinute:
		return min(n, 60)
	case unitHour:
		return min(n, 24)
	}
	return n
}

var unitMillis = [...]int64{
	unitMillisecond: 1, unitSecond: 1000, unitMinute: 60_000, unitHour: 3_600_000,
	unitDay: 86_400_000, unitWeek: 7 * 86_400_000,
}

// floorTime truncates epoch milliseconds to a multiple of the period, in
// UTC. Fixed-length units are aligned to the Unix epoch; weeks start on
// Monday; months, quarters and years are calendar periods counted from
// 1970-01. AWS documents neither alignment nor time zone; these are
// inferences.
func floorTime(ms int64, n int64, u timeUnit) int64 {
	n = capPeriod(n, u)
	if n <= 0 {
		return ms
	}
	switch u {
	case unitWeek:
		// 1970-01-05 was a Monday.
		const monday = 4 * 86_400_000
		size := n * unitMillis[unitWeek]
		return floorDiv(ms-monday, size)*size + monday
	case unitMonth, unitQuarter, unitYear:
		months := n
		switch u {
		case unitQuarter:
			months = 3 * n
		case unitYear:
			months = 12 * n
		}
		t := time.UnixMilli(ms).UTC()
		idx := int64(t.Year()-1970)*12 + int64(t.Month()-1)
		idx = floorDiv(idx, months) * months
		y := 1970 + floorDiv(idx, 12)
		mo := idx - floorDiv(idx, 12)*12
		return time.Date(int(y), time.Month(mo+1), 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	default:
		size := n * unitMillis[u]
		return floorDiv(ms, size) * size
	}
}

// ceilTime rounds up to the next period boundary; a value already on a
// boundary is returned unchanged (AWS leaves this case undocumented).
func ceilTime(ms int64, n int64, u timeUnit) int64 {
	f := floorTime(ms, n, u)
	if f == ms {
		return ms
	}
	n = capPeriod(n, u)
	if n <= 0 {
		return ms
	}
	switch u {
	case unitMonth, unitQuarter, unitYear:
		months := int(n)
		switch u {
		case unitQuarter:
			months = 3 * int(n)
		case unitYear:
			months = 12 * int(n)
		}
		return time.UnixMilli(f).UTC().AddDate(0, months, 0).UnixMilli()
	case unitWeek:
		return f + n*unitMillis[unitWeek]
	default:
		return f + n*unitMillis[u]
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// formatTimestamp renders epoch milliseconds the way GetQueryResults shows
// @timestamp: "2006-01-02 15:04:05.000" in UTC.
func formatTimestamp(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05.000")
}
