package insights

import (
	"strconv"
	"strings"
	"sync"
)

// VPC Flow Logs discovery.
//
// AWS does not document how Insights recognises a flow-log record, so this
// package decides from the record itself (no log-group naming convention is
// needed): a message is a flow-log record when it is a line of exactly 14
// (default version-2 format) or 29 (the workshop's custom format: the 14
// defaults followed by 15 extra fields) single-space-separated tokens where
//   - token 1 (version) is a number,
//   - token 2 (account-id) is 12 digits, "-" or "unknown",
//   - token 3 (interface-id) starts with "eni-" or is "-",
//   - token 13 (action) is ACCEPT, REJECT or "-",
//   - token 14 (log-status) is OK, NODATA or SKIPDATA.
//
// Fields get AWS's camelCase names. The reference lists the time fields as
// startTime/endTime while the project brief names them start/end, so both
// names are discovered for the same token. "-" (no data) is kept as the
// literal value "-", as it appears in the record.
var flowDefaultNames = []string{
	"version", "accountId", "interfaceId", "srcAddr", "dstAddr", "srcPort", "dstPort",
	"protocol", "packets", "bytes", "start", "end", "action", "logStatus",
}

var flowExtendedNames = []string{
	"vpcId", "subnetId", "instanceId", "tcpFlags", "type", "pktSrcAddr", "pktDstAddr",
	"region", "azId", "sublocationType", "sublocationId", "pktSrcAwsService",
	"pktDstAwsService", "flowDirection", "trafficPath",
}

var flowIDs struct {
	once                         sync.Once
	fields, extended             []uint32
	startTimeAlias, endTimeAlias uint32
}

func loadFlowIDs() {
	flowIDs.once.Do(func() {
		for _, n := range flowDefaultNames {
			flowIDs.fields = append(flowIDs.fields, registry.internString(n))
		}
		for _, n := range flowExtendedNames {
			flowIDs.extended = append(flowIDs.extended, registry.internString(n))
		}
		flowIDs.startTimeAlias = registry.internString("startTime")
		flowIDs.endTimeAlias = registry.internString("endTime")
	})
}

// addSliceID is addSlice for a name whose id is already known.
func (b *indexBuilder) addSliceID(id uint32, off, n int) {
	if id < extMarker && n < extMarker {
		b.fields = append(b.fields, fieldEntry{off: uint32(off), id: uint16(id), n: uint16(n)})
		return
	}
	b.addExtID(id, b.msg[off:off+n])
}

func indexFlowLog(b *indexBuilder, msg string) bool {
	if len(msg) < 28 || len(msg) > 4096 {
		return false
	}
	var starts, ends [29]int
	count := 0
	i := 0
	for i <= len(msg) {
		j := strings.IndexByte(msg[i:], ' ')
		end := len(msg)
		if j >= 0 {
			end = i + j
		}
		if count == len(starts) || end == i {
			return false // too many tokens, or an empty token (double space)
		}
		starts[count], ends[count] = i, end
		count++
		if j < 0 {
			break
		}
		i = end + 1
	}
	if count != 14 && count != 29 {
		return false
	}
	tok := func(k int) string { return msg[starts[k]:ends[k]] }
	if _, err := strconv.Atoi(tok(0)); err != nil {
		return false
	}
	if acct := tok(1); !(acct == "-" || acct == "unknown" || (len(acct) == 12 && allDigits(acct))) {
		return false
	}
	if eni := tok(2); !(eni == "-" || strings.HasPrefix(eni, "eni-")) {
		return false
	}
	switch tok(12) {
	case "ACCEPT", "REJECT", "-":
	default:
		return false
	}
	switch tok(13) {
	case "OK", "NODATA", "SKIPDATA":
	default:
		return false
	}
	loadFlowIDs()
	for k := 0; k < 14; k++ {
		b.addSliceID(flowIDs.fields[k], starts[k], ends[k]-starts[k])
		switch k {
		case 10:
			b.addSliceID(flowIDs.startTimeAlias, starts[k], ends[k]-starts[k])
		case 11:
			b.addSliceID(flowIDs.endTimeAlias, starts[k], ends[k]-starts[k])
		}
	}
	if count == 29 {
		for k := 14; k < 29; k++ {
			b.addSliceID(flowIDs.extended[k-14], starts[k], ends[k]-starts[k])
		}
	}
	return true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// indexLambdaPlatformLine discovers the fields AWS documents for Lambda's
// START, END and REPORT lines: @type, @requestId, @duration, @billedDuration,
// @memorySize and @maxMemoryUsed (in bytes, as AWS's "provisonedMemoryMB =
// @memorySize / 1000 / 1000" sample implies), @initDuration, and the X-Ray
// @xrayTraceId / @xraySegmentId.
func indexLambdaPlatformLine(b *indexBuilder, msg string) bool {
	var typ string
	switch {
	case strings.HasPrefix(msg, "START RequestId: "):
		typ = "START"
	case strings.HasPrefix(msg, "END RequestId: "):
		typ = "END"
	case strings.HasPrefix(msg, "REPORT RequestId: "):
		typ = "REPORT"
	default:
		return false
	}
	b.addSlice([]byte("@type"), 0, len(typ))
	rest := msg[len(typ)+len(" RequestId: "):]
	off := len(typ) + len(" RequestId: ")
	idEnd := strings.IndexAny(rest, " \t\n")
	if idEnd < 0 {
		idEnd = len(rest)
	}
	b.addSlice([]byte("@requestId"), off, idEnd)
	if typ != "REPORT" {
		return true
	}
	addNumber := func(label, field string, scale float64) {
		k := strings.Index(msg, label)
		if k < 0 {
			return
		}
		start := k + len(label)
		end := start
		for end < len(msg) && (msg[end] == '.' || (msg[end] >= '0' && msg[end] <= '9')) {
			end++
		}
		if end == start {
			return
		}
		if scale == 1 {
			b.addSlice([]byte(field), start, end-start)
			return
		}
		v, err := strconv.ParseFloat(msg[start:end], 64)
		if err != nil {
			return
		}
		b.addValue([]byte(field), strconv.FormatFloat(v*scale, 'f', -1, 64))
	}
	addNumber("\tDuration: ", "@duration", 1)
	addNumber("Billed Duration: ", "@billedDuration", 1)
	addNumber("Memory Size: ", "@memorySize", 1000*1000)
	addNumber("Max Memory Used: ", "@maxMemoryUsed", 1000*1000)
	addNumber("Init Duration: ", "@initDuration", 1)
	addToken := func(label, field string) {
		k := strings.Index(msg, label)
		if k < 0 {
			return
		}
		start := k + len(label)
		end := start
		for end < len(msg) && msg[end] != '\t' && msg[end] != ' ' && msg[end] != '\n' {
			end++
		}
		b.addSlice([]byte(field), start, end-start)
	}
	addToken("XRAY TraceId: ", "@xrayTraceId")
	addToken("SegmentId: ", "@xraySegmentId")
	return true
}
