package flowlog

import (
	"strings"
)

// Field is one flow-log record field.
type Field uint8

// The fields of versions 2 to 5, in AWS's documented order (the default
// format is the first 14), then the later fields that CreateFlowLogs
// accepts and the sandbox always writes as "-".
const (
	FieldVersion Field = iota + 1
	FieldAccountID
	FieldInterfaceID
	FieldSrcAddr
	FieldDstAddr
	FieldSrcPort
	FieldDstPort
	FieldProtocol
	FieldPackets
	FieldBytes
	FieldStart
	FieldEnd
	FieldAction
	FieldLogStatus
	FieldVPCID
	FieldSubnetID
	FieldInstanceID
	FieldTCPFlags
	FieldType
	FieldPktSrcAddr
	FieldPktDstAddr
	FieldRegion
	FieldAZID
	FieldSublocationType
	FieldSublocationID
	FieldPktSrcAWSService
	FieldPktDstAWSService
	FieldFlowDirection
	FieldTrafficPath
	FieldECSClusterARN
	FieldECSClusterName
	FieldECSContainerInstanceARN
	FieldECSContainerInstanceID
	FieldECSContainerID
	FieldECSSecondContainerID
	FieldECSServiceName
	FieldECSTaskDefinitionARN
	FieldECSTaskARN
	FieldECSTaskID
	FieldRejectReason
	FieldResourceID
	FieldEncryptionStatus
	fieldEnd
)

// fieldInfo is each field's name and the format version that introduced
// it. Versions past 5 are as current AWS documentation was read for the
// sandbox (ECS fields 7, reject-reason 8, resource-id 9,
// encryption-status 10); the sandbox writes those fields as "-".
var fieldInfo = [fieldEnd]struct {
	name    string
	version int
}{
	FieldVersion: {"version", 2}, FieldAccountID: {"account-id", 2}, FieldInterfaceID: {"interface-id", 2},
	FieldSrcAddr: {"srcaddr", 2}, FieldDstAddr: {"dstaddr", 2}, FieldSrcPort: {"srcport", 2}, FieldDstPort: {"dstport", 2},
	FieldProtocol: {"protocol", 2}, FieldPackets: {"packets", 2}, FieldBytes: {"bytes", 2}, FieldStart: {"start", 2},
	FieldEnd: {"end", 2}, FieldAction: {"action", 2}, FieldLogStatus: {"log-status", 2},
	FieldVPCID: {"vpc-id", 3}, FieldSubnetID: {"subnet-id", 3}, FieldInstanceID: {"instance-id", 3},
	FieldTCPFlags: {"tcp-flags", 3}, FieldType: {"type", 3}, FieldPktSrcAddr: {"pkt-srcaddr", 3}, FieldPktDstAddr: {"pkt-dstaddr", 3},
	FieldRegion: {"region", 4}, FieldAZID: {"az-id", 4}, FieldSublocationType: {"sublocation-type", 4}, FieldSublocationID: {"sublocation-id", 4},
	FieldPktSrcAWSService: {"pkt-src-aws-service", 5}, FieldPktDstAWSService: {"pkt-dst-aws-service", 5},
	FieldFlowDirection: {"flow-direction", 5}, FieldTrafficPath: {"traffic-path", 5},
	FieldECSClusterARN: {"ecs-cluster-arn", 7}, FieldECSClusterName: {"ecs-cluster-name", 7},
	FieldECSContainerInstanceARN: {"ecs-container-instance-arn", 7}, FieldECSContainerInstanceID: {"ecs-container-instance-id", 7},
	FieldECSContainerID: {"ecs-container-id", 7}, FieldECSSecondContainerID: {"ecs-second-container-id", 7},
	FieldECSServiceName: {"ecs-service-name", 7}, FieldECSTaskDefinitionARN: {"ecs-task-definition-arn", 7},
	FieldECSTaskARN: {"ecs-task-arn", 7}, FieldECSTaskID: {"ecs-task-id", 7},
	FieldRejectReason: {"reject-reason", 8}, FieldResourceID: {"resource-id", 9}, FieldEncryptionStatus: {"encryption-status", 10},
}

var fieldByName = func() map[string]Field {
	m := make(map[string]Field, fieldEnd)
	for f := Field(1); f < fieldEnd; f++ {
		m[fieldInfo[f].name] = f
	}
	return m
}()

// Name is the field's name as a format writes it, without ${}.
func (f Field) Name() string {
	if f == 0 || f >= fieldEnd {
		return ""
	}
	return fieldInfo[f].name
}

// Version is the flow-log format version that introduced the field.
func (f Field) Version() int {
	if f == 0 || f >= fieldEnd {
		return 0
	}
	return fieldInfo[f].version
}

// FieldByName returns the field a format names ("srcaddr").
func FieldByName(name string) (Field, bool) {
	f, ok := fieldByName[name]
	return f, ok
}

// Fields returns every field, in AWS's documented order.
func Fields() []Field {
	out := make([]Field, 0, fieldEnd-1)
	for f := Field(1); f < fieldEnd; f++ {
		out = append(out, f)
	}
	return out
}

// DefaultFormatText is the format of a flow log created without
// LogFormat: the 14 version-2 fields. DescribeFlowLogs shows it as the
// flow log's LogFormat.
const DefaultFormatText = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"

// Format is a parsed LogFormat: the fields a record carries, in order.
type Format struct {
	text    string
	fields  []Field
	version int
}

// DefaultFormat is the parsed DefaultFormatText.
var DefaultFormat = mustParse(DefaultFormatText)

func mustParse(s string) *Format {
	f, err := ParseFormat(s)
	if err != nil {
		panic(err)
	}
	return f
}

// String is the format as given (for DescribeFlowLogs).
func (f *Format) String() string { return f.text }

// Fields are the format's fields, in record order. Do not modify.
func (f *Format) Fields() []Field { return f.fields }

// Version is what the format's records carry in ${version}: 2 for the
// default format, otherwise the highest version among its fields.
func (f *Format) Version() int { return f.version }

// Header is the field names separated by spaces: the first line of a
// plain-text flow-log file in S3.
func (f *Format) Header() string {
	names := make([]string, len(f.fields))
	for i, fl := range f.fields {
		names[i] = fl.Name()
	}
	return strings.Join(names, " ")
}

// FormatError is CreateFlowLogs' answer to a LogFormat it rejects: an EC2
// error code and message.
type FormatError struct {
	Code    string
	Message string
}

func (e *FormatError) Error() string { return e.Code + ": " + e.Message }

// ParseFormat parses a LogFormat: one or more ${field} separated by single
// spaces, with no space before the first or after the last. Fields may
// repeat. The errors are CreateFlowLogs':
//
//   - a format that is not such a list (empty, a trailing space, two
//     spaces, a bare word, an unclosed ${) gets AWS's observed message
//     "1 validation error detected: Value '…' at 'logFormat' has an invalid
//     format" (the code, InvalidParameter, is the sandbox's choice: AWS's
//     is not documented);
//   - a well-formed list naming an unknown field gets InvalidParameter
//     "Unknown fields provided: ${…}", listing each unknown field once
//     (wording not documented by AWS).
func ParseFormat(s string) (*Format, error) {
	f := &Format{text: s, version: 2}
	var unknown []string
	rest := s
	for {
		tok, after, more := strings.Cut(rest, " ")
		name, ok := strings.CutPrefix(tok, "${")
		if ok {
			name, ok = strings.CutSuffix(name, "}")
		}
		if !ok || name == "" || strings.ContainsAny(name, "${} \t\r\n") {
			return nil, invalidFormat(s)
		}
		if fl, known := fieldByName[name]; known {
			f.fields = append(f.fields, fl)
			f.version = max(f.version, fl.Version())
		} else if !containsString(unknown, tok) {
			unknown = append(unknown, tok)
		}
		if !more {
			break
		}
		rest = after
	}
	if len(unknown) > 0 {
		return nil, &FormatError{Code: "InvalidParameter", Message: "Unknown fields provided: " + strings.Join(unknown, ", ")}
	}
	return f, nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func invalidFormat(s string) error {
	const maxQuoted = 256
	if len(s) > maxQuoted {
		s = s[:maxQuoted] + "..."
	}
	return &FormatError{Code: "InvalidParameter", Message: "1 validation error detected: Value '" + s + "' at 'logFormat' has an invalid format"}
}
