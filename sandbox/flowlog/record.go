package flowlog

import (
	"net/netip"
	"strconv"
)

// Action is a record's action.
type Action uint8

const (
	Accept Action = iota + 1
	Reject
)

func (a Action) String() string {
	switch a {
	case Accept:
		return "ACCEPT"
	case Reject:
		return "REJECT"
	}
	return "-"
}

// Direction is a record's flow-direction, relative to the interface.
type Direction uint8

const (
	Ingress Direction = iota + 1
	Egress
)

func (d Direction) String() string {
	switch d {
	case Ingress:
		return "ingress"
	case Egress:
		return "egress"
	}
	return "-"
}

// LogStatus is a record's log-status.
type LogStatus uint8

const (
	StatusOK LogStatus = iota
	StatusNoData
	StatusSkipData
)

func (s LogStatus) String() string {
	switch s {
	case StatusNoData:
		return "NODATA"
	case StatusSkipData:
		return "SKIPDATA"
	}
	return "OK"
}

// TCP flags as flow logs report them: the OR of these over the window.
// ACK alone is never reported (an ACK-only record has tcp-flags 0); SYN
// with ACK is SYN-ACK, 18.
const (
	FlagFIN    uint8 = 1
	FlagSYN    uint8 = 2
	FlagRST    uint8 = 4
	FlagSYNACK uint8 = 18
)

// Traffic-path codes (egress only).
const (
	PathNone                  uint8 = 0 // written as "-"
	PathSameVPC               uint8 = 1
	PathInternetGateway       uint8 = 2 // or a gateway VPC endpoint; Xen instances
	PathVirtualPrivateGateway uint8 = 3
	PathIntraRegionPeering    uint8 = 4
	PathInterRegionPeering    uint8 = 5
	PathLocalGateway          uint8 = 6
	PathGatewayEndpointNitro  uint8 = 7
	PathInternetGatewayNitro  uint8 = 8
)

// Record is one flow-log record: one flow (interface, 5-tuple, direction,
// action) in one aggregation window. A zero address, an empty string and
// a zero traffic path are written as "-".
type Record struct {
	Interface *Interface

	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
	Protocol         uint8
	Packets, Bytes   uint64
	Start, End       int64 // Unix seconds
	Action           Action
	Status           LogStatus
	TCPFlags         uint8
	PktSrc, PktDst   netip.Addr
	PktSrcAWSService string
	PktDstAWSService string
	Direction        Direction
	TrafficPath      uint8
}

// Interface is what flow logs know of a network interface: its IDs and
// where it is. The collector keeps a pointer to it in every pending
// record, so give one value per interface and do not modify it.
type Interface struct {
	ID         string // eni-…
	AccountID  string
	InstanceID string // empty for an interface no instance of the account owns
	VPCID      string
	SubnetID   string
	Region     string
	AZID       string // use1-az1
	// Nitro interfaces aggregate over at most 60 seconds whatever the flow
	// log asks (AWS's rule), and their internet traffic-path is 8, not 2.
	Nitro bool
}

// Append renders r in format f, appended to dst. Fields without a value
// are "-"; NODATA and SKIPDATA records keep only version, account-id,
// interface-id, start, end and log-status and the interface's IDs.
func (f *Format) Append(dst []byte, r *Record) []byte {
	ifc := r.Interface
	if ifc == nil {
		ifc = &Interface{}
	}
	data := r.Status == StatusOK
	for i, fl := range f.fields {
		if i > 0 {
			dst = append(dst, ' ')
		}
		switch fl {
		case FieldVersion:
			dst = strconv.AppendInt(dst, int64(f.version), 10)
		case FieldAccountID:
			dst = appendString(dst, ifc.AccountID)
		case FieldInterfaceID:
			dst = appendString(dst, ifc.ID)
		case FieldSrcAddr:
			dst = appendAddr(dst, r.Src, data)
		case FieldDstAddr:
			dst = appendAddr(dst, r.Dst, data)
		case FieldSrcPort:
			dst = appendUint(dst, uint64(r.SrcPort), data)
		case FieldDstPort:
			dst = appendUint(dst, uint64(r.DstPort), data)
		case FieldProtocol:
			dst = appendUint(dst, uint64(r.Protocol), data)
		case FieldPackets:
			dst = appendUint(dst, r.Packets, data)
		case FieldBytes:
			dst = appendUint(dst, r.Bytes, data)
		case FieldStart:
			dst = strconv.AppendInt(dst, r.Start, 10)
		case FieldEnd:
			dst = strconv.AppendInt(dst, r.End, 10)
		case FieldAction:
			if data {
				dst = append(dst, r.Action.String()...)
			} else {
				dst = append(dst, '-')
			}
		case FieldLogStatus:
			dst = append(dst, r.Status.String()...)
		case FieldVPCID:
			dst = appendString(dst, ifc.VPCID)
		case FieldSubnetID:
			dst = appendString(dst, ifc.SubnetID)
		case FieldInstanceID:
			dst = appendString(dst, ifc.InstanceID)
		case FieldTCPFlags:
			dst = appendUint(dst, uint64(r.TCPFlags), data)
		case FieldType:
			switch {
			case !data || !r.Src.IsValid():
				dst = append(dst, '-')
			case r.Src.Is4() || r.Src.Is4In6():
				dst = append(dst, "IPv4"...)
			default:
				dst = append(dst, "IPv6"...)
			}
		case FieldPktSrcAddr:
			dst = appendAddr(dst, or(r.PktSrc, r.Src), data)
		case FieldPktDstAddr:
			dst = appendAddr(dst, or(r.PktDst, r.Dst), data)
		case FieldRegion:
			dst = appendString(dst, ifc.Region)
		case FieldAZID:
			dst = appendString(dst, ifc.AZID)
		case FieldPktSrcAWSService:
			dst = appendString(dst, dataOnly(r.PktSrcAWSService, data))
		case FieldPktDstAWSService:
			dst = appendString(dst, dataOnly(r.PktDstAWSService, data))
		case FieldFlowDirection:
			if data {
				dst = append(dst, r.Direction.String()...)
			} else {
				dst = append(dst, '-')
			}
		case FieldTrafficPath:
			dst = appendUint(dst, uint64(r.TrafficPath), data && r.TrafficPath != PathNone && r.Direction == Egress)
		default:
			// Sublocations (the sandbox has no Wavelength, Outposts or Local
			// Zones), ECS, reject-reason, resource-id, encryption-status.
			dst = append(dst, '-')
		}
	}
	return dst
}

// Render returns r in format f.
func (f *Format) Render(r *Record) string { return string(f.Append(nil, r)) }

func or(a, b netip.Addr) netip.Addr {
	if a.IsValid() {
		return a
	}
	return b
}

func dataOnly(s string, data bool) string {
	if !data {
		return ""
	}
	return s
}

func appendString(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, '-')
	}
	return append(dst, s...)
}

func appendAddr(dst []byte, a netip.Addr, ok bool) []byte {
	if !ok || !a.IsValid() {
		return append(dst, '-')
	}
	return a.Unmap().AppendTo(dst)
}

func appendUint(dst []byte, v uint64, ok bool) []byte {
	if !ok {
		return append(dst, '-')
	}
	return strconv.AppendUint(dst, v, 10)
}
