package ec2

import (
	"strconv"
	"unicode/utf8"
)

// Hand-written XML for the hot, large results (DescribeInstances,
// RunInstances): the front end uses AppendInnerXML (api.XMLAppender)
// instead of encoding/xml's reflection. The output must be byte for byte
// what encoding/xml produces for the same value, which
// TestFastXMLEquivalence, FuzzInstanceXMLEquivalence and
// TestFastXMLCoversEveryField hold it to. Rules mirrored from encoding/xml:
//
//   - every field is an element in struct order; strings are escaped as
//     EscapeText does, ints and bools use strconv;
//   - omitempty drops an empty string, zero int, false bool or nil pointer;
//   - a nil pointer without omitempty is dropped too;
//   - "a>item" slices always write <a></a>, even when empty and even with
//     omitempty (omitempty only drops the items);
//   - struct values (including struct{}) are always written.

// AppendInnerXML implements api.XMLAppender for DescribeInstances.
func (x describeInstancesResult) AppendInnerXML(dst []byte) []byte {
	n := 0
	for i := range x.Reservations {
		n += len(x.Reservations[i].Instances)
	}
	dst = growFor(dst, 512*len(x.Reservations)+instanceXMLSizeHint*n)
	dst = appendItemSet(dst, "reservationSet", x.Reservations, (*reservationXML).appendXML)
	if x.NextToken != "" {
		dst = appendStringElem(dst, "nextToken", x.NextToken)
	}
	return dst
}

// AppendInnerXML implements api.XMLAppender for RunInstances.
func (x reservationXML) AppendInnerXML(dst []byte) []byte {
	dst = growFor(dst, 512+instanceXMLSizeHint*len(x.Instances))
	return x.appendXML(dst)
}

// instanceXMLSizeHint is roughly the rendered size of one instance, so
// that large responses grow their buffer once.
const instanceXMLSizeHint = 4096

func growFor(dst []byte, n int) []byte {
	if cap(dst)-len(dst) >= n {
		return dst
	}
	grown := make([]byte, len(dst), len(dst)+n)
	copy(grown, dst)
	return grown
}

func (x *reservationXML) appendXML(dst []byte) []byte {
	dst = appendStringElem(dst, "reservationId", x.ReservationID)
	dst = appendStringElem(dst, "ownerId", x.OwnerID)
	if x.RequesterID != "" {
		dst = appendStringElem(dst, "requesterId", x.RequesterID)
	}
	dst = appendItemSet(dst, "groupSet", x.Groups, (*groupIdentifierXML).appendXML)
	return appendItemSet(dst, "instancesSet", x.Instances, (*instanceXML).appendXML)
}

// appendItemSet writes a "name>item" slice: <name>, each element as an
// <item>, </name>. The wrapper is written even for an empty slice.
func appendItemSet[T any](dst []byte, name string, items []T, appendItem func(item *T, dst []byte) []byte) []byte {
	dst = append(dst, '<')
	dst = append(dst, name...)
	dst = append(dst, '>')
	for i := range items {
		dst = append(dst, "<item>"...)
		dst = appendItem(&items[i], dst)
		dst = append(dst, "</item>"...)
	}
	dst = append(dst, "</"...)
	dst = append(dst, name...)
	return append(dst, '>')
}

func (x *groupIdentifierXML) appendXML(dst []byte) []byte {
	dst = appendStringElem(dst, "groupId", x.GroupID)
	return appendStringElem(dst, "groupName", x.GroupName)
}

func (x *tagXML) appendXML(dst []byte) []byte {
	dst = appendStringElem(dst, "key", x.Key)
	return appendStringElem(dst, "value", x.Value)
}

func (b *instanceBlockDeviceXML) appendXML(dst []byte) []byte {
	dst = appendStringElem(dst, "deviceName", b.DeviceName)
	dst = append(dst, "<ebs>"...)
	dst = appendStringElem(dst, "volumeId", b.Ebs.VolumeID)
	dst = appendStringElem(dst, "status", b.Ebs.Status)
	dst = appendStringElem(dst, "attachTime", b.Ebs.AttachTime)
	dst = appendBoolElem(dst, "deleteOnTermination", b.Ebs.DeleteOnTermination)
	return append(dst, "</ebs>"...)
}

func (x *instanceXML) appendXML(dst []byte) []byte {
	dst = appendStringElem(dst, "instanceId", x.InstanceID)
	dst = appendStringElem(dst, "imageId", x.ImageID)
	dst = append(dst, "<instanceState>"...)
	dst = appendIntElem(dst, "code", x.InstanceState.Code)
	dst = appendStringElem(dst, "name", x.InstanceState.Name)
	dst = append(dst, "</instanceState>"...)
	dst = appendStringElem(dst, "privateDnsName", x.PrivateDNSName)
	dst = appendStringElem(dst, "dnsName", x.DNSName)
	dst = appendStringElem(dst, "reason", x.Reason)
	if x.KeyName != "" {
		dst = appendStringElem(dst, "keyName", x.KeyName)
	}
	dst = appendIntElem(dst, "amiLaunchIndex", x.AmiLaunchIndex)
	dst = append(dst, "<productCodes></productCodes>"...)
	dst = appendStringElem(dst, "instanceType", x.InstanceType)
	dst = appendStringElem(dst, "launchTime", x.LaunchTime)
	dst = append(dst, "<placement>"...)
	dst = appendStringElem(dst, "availabilityZone", x.Placement.AvailabilityZone)
	dst = appendStringElem(dst, "groupName", x.Placement.GroupName)
	dst = appendStringElem(dst, "tenancy", x.Placement.Tenancy)
	dst = append(dst, "</placement>"...)
	if x.Platform != "" {
		dst = appendStringElem(dst, "platform", x.Platform)
	}
	dst = append(dst, "<monitoring>"...)
	dst = appendStringElem(dst, "state", x.Monitoring.State)
	dst = append(dst, "</monitoring>"...)
	if x.SubnetID != "" {
		dst = appendStringElem(dst, "subnetId", x.SubnetID)
	}
	if x.VpcID != "" {
		dst = appendStringElem(dst, "vpcId", x.VpcID)
	}
	if x.PrivateIPAddress != "" {
		dst = appendStringElem(dst, "privateIpAddress", x.PrivateIPAddress)
	}
	if x.IPAddress != "" {
		dst = appendStringElem(dst, "ipAddress", x.IPAddress)
	}
	dst = appendBoolElem(dst, "sourceDestCheck", x.SourceDestCheck)
	dst = appendItemSet(dst, "groupSet", x.Groups, (*groupIdentifierXML).appendXML)
	if sr := x.StateReason; sr != nil {
		dst = append(dst, "<stateReason>"...)
		dst = appendStringElem(dst, "code", sr.Code)
		dst = appendStringElem(dst, "message", sr.Message)
		dst = append(dst, "</stateReason>"...)
	}
	dst = appendStringElem(dst, "architecture", x.Architecture)
	dst = appendStringElem(dst, "rootDeviceType", x.RootDeviceType)
	dst = appendStringElem(dst, "rootDeviceName", x.RootDeviceName)
	dst = appendItemSet(dst, "blockDeviceMapping", x.BlockDeviceMapping, (*instanceBlockDeviceXML).appendXML)
	dst = appendStringElem(dst, "virtualizationType", x.VirtualizationType)
	dst = appendStringElem(dst, "clientToken", x.ClientToken)
	dst = appendItemSet(dst, "tagSet", x.Tags, (*tagXML).appendXML)
	dst = appendStringElem(dst, "hypervisor", x.Hypervisor)
	dst = appendItemSet(dst, "networkInterfaceSet", x.NetworkInterfaces, (*instanceNetworkInterfaceXML).appendXML)
	if p := x.IamInstanceProfile; p != nil {
		dst = append(dst, "<iamInstanceProfile>"...)
		dst = appendStringElem(dst, "arn", p.Arn)
		dst = appendStringElem(dst, "id", p.ID)
		dst = append(dst, "</iamInstanceProfile>"...)
	}
	dst = appendBoolElem(dst, "ebsOptimized", x.EbsOptimized)
	dst = appendBoolElem(dst, "enaSupport", x.EnaSupport)
	dst = append(dst, "<cpuOptions>"...)
	dst = appendIntElem(dst, "coreCount", x.CPUOptions.CoreCount)
	dst = appendIntElem(dst, "threadsPerCore", x.CPUOptions.ThreadsPerCore)
	dst = append(dst, "</cpuOptions><capacityReservationSpecification>"...)
	dst = appendStringElem(dst, "capacityReservationPreference", x.CapacityReservation.Preference)
	dst = append(dst, "</capacityReservationSpecification><hibernationOptions>"...)
	dst = appendBoolElem(dst, "configured", x.HibernationOptions.Configured)
	dst = append(dst, "</hibernationOptions><metadataOptions>"...)
	m := &x.MetadataOptions
	dst = appendStringElem(dst, "state", m.State)
	dst = appendStringElem(dst, "httpTokens", m.HTTPTokens)
	dst = appendIntElem(dst, "httpPutResponseHopLimit", m.HTTPPutResponseHopLimit)
	dst = appendStringElem(dst, "httpEndpoint", m.HTTPEndpoint)
	dst = appendStringElem(dst, "httpProtocolIpv6", m.HTTPProtocolIpv6)
	dst = appendStringElem(dst, "instanceMetadataTags", m.InstanceMetadataTags)
	dst = append(dst, "</metadataOptions><enclaveOptions>"...)
	dst = appendBoolElem(dst, "enabled", x.EnclaveOptions.Enabled)
	dst = append(dst, "</enclaveOptions>"...)
	dst = appendStringElem(dst, "platformDetails", x.PlatformDetails)
	dst = appendStringElem(dst, "usageOperation", x.UsageOperation)
	dst = appendStringElem(dst, "usageOperationUpdateTime", x.UsageOperationUpdated)
	dst = append(dst, "<maintenanceOptions>"...)
	dst = appendStringElem(dst, "autoRecovery", x.MaintenanceOptions.AutoRecovery)
	dst = append(dst, "</maintenanceOptions>"...)
	return appendStringElem(dst, "currentInstanceBootMode", x.CurrentBootMode)
}

func (x *instanceNetworkInterfaceXML) appendXML(dst []byte) []byte {
	dst = appendStringElem(dst, "networkInterfaceId", x.NetworkInterfaceID)
	dst = appendStringElem(dst, "subnetId", x.SubnetID)
	dst = appendStringElem(dst, "vpcId", x.VpcID)
	dst = appendStringElem(dst, "description", x.Description)
	dst = appendStringElem(dst, "ownerId", x.OwnerID)
	dst = appendStringElem(dst, "status", x.Status)
	dst = appendStringElem(dst, "macAddress", x.MacAddress)
	dst = appendStringElem(dst, "privateIpAddress", x.PrivateIPAddress)
	dst = appendStringElem(dst, "privateDnsName", x.PrivateDNSName)
	dst = appendBoolElem(dst, "sourceDestCheck", x.SourceDestCheck)
	dst = appendItemSet(dst, "groupSet", x.Groups, (*groupIdentifierXML).appendXML)
	a := &x.Attachment
	dst = append(dst, "<attachment>"...)
	dst = appendStringElem(dst, "attachmentId", a.AttachmentID)
	dst = appendIntElem(dst, "deviceIndex", a.DeviceIndex)
	dst = appendStringElem(dst, "status", a.Status)
	dst = appendStringElem(dst, "attachTime", a.AttachTime)
	dst = appendBoolElem(dst, "deleteOnTermination", a.DeleteOnTermination)
	dst = appendIntElem(dst, "networkCardIndex", a.NetworkCardIndex)
	dst = append(dst, "</attachment>"...)
	if x.Association != nil {
		dst = x.Association.appendXML(dst)
	}
	dst = appendItemSet(dst, "privateIpAddressesSet", x.PrivateIPAddresses, (*instancePrivateIPXML).appendXML)
	dst = append(dst, "<ipv6AddressesSet></ipv6AddressesSet>"...)
	return appendStringElem(dst, "interfaceType", x.InterfaceType)
}

func (p *instancePrivateIPXML) appendXML(dst []byte) []byte {
	dst = appendStringElem(dst, "privateIpAddress", p.PrivateIPAddress)
	dst = appendStringElem(dst, "privateDnsName", p.PrivateDNSName)
	dst = appendBoolElem(dst, "primary", p.Primary)
	if p.Association != nil {
		dst = p.Association.appendXML(dst)
	}
	return dst
}

// appendXML writes the whole <association> element.
func (x *eniAssociationXML) appendXML(dst []byte) []byte {
	dst = append(dst, "<association>"...)
	dst = appendStringElem(dst, "ipOwnerId", x.IPOwnerID)
	dst = appendStringElem(dst, "publicDnsName", x.PublicDNSName)
	dst = appendStringElem(dst, "publicIp", x.PublicIP)
	return append(dst, "</association>"...)
}

func appendStringElem(dst []byte, name, value string) []byte {
	dst = append(dst, '<')
	dst = append(dst, name...)
	dst = append(dst, '>')
	dst = appendEscapedText(dst, value)
	dst = append(dst, "</"...)
	dst = append(dst, name...)
	return append(dst, '>')
}

func appendIntElem(dst []byte, name string, value int) []byte {
	dst = append(dst, '<')
	dst = append(dst, name...)
	dst = append(dst, '>')
	dst = strconv.AppendInt(dst, int64(value), 10)
	dst = append(dst, "</"...)
	dst = append(dst, name...)
	return append(dst, '>')
}

func appendBoolElem(dst []byte, name string, value bool) []byte {
	dst = append(dst, '<')
	dst = append(dst, name...)
	dst = append(dst, '>')
	dst = strconv.AppendBool(dst, value)
	dst = append(dst, "</"...)
	dst = append(dst, name...)
	return append(dst, '>')
}

// appendEscapedText appends s escaped exactly as encoding/xml escapes
// character data (xml.EscapeText, printer.EscapeString): the five markup
// characters and \t \n \r become character references, and invalid UTF-8
// or characters outside XML's Char production become U+FFFD.
func appendEscapedText(dst []byte, s string) []byte {
	i := 0
	for i < len(s) && textSafe[s[i]] {
		i++
	}
	if i == len(s) {
		return append(dst, s...)
	}
	last := 0
	for i < len(s) {
		c := s[i]
		if textSafe[c] {
			i++
			continue
		}
		var esc string
		width := 1
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				esc = "&#34;"
			case '\'':
				esc = "&#39;"
			case '&':
				esc = "&amp;"
			case '<':
				esc = "&lt;"
			case '>':
				esc = "&gt;"
			case '\t':
				esc = "&#x9;"
			case '\n':
				esc = "&#xA;"
			case '\r':
				esc = "&#xD;"
			default:
				if c >= 0x20 {
					i++
					continue
				}
				esc = "\uFFFD"
			}
		} else {
			var r rune
			r, width = utf8.DecodeRuneInString(s[i:])
			if isInCharacterRange(r) && !(r == utf8.RuneError && width == 1) {
				i += width
				continue
			}
			esc = "\uFFFD"
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, esc...)
		i += width
		last = i
	}
	return append(dst, s[last:]...)
}

// textSafe marks the bytes that stand for themselves in character data:
// printable ASCII other than " ' & < >.
var textSafe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"'&<>` {
		t[c] = false
	}
	return t
}()

// isInCharacterRange is encoding/xml's test for XML's Char production.
func isInCharacterRange(r rune) bool {
	return r == 0x09 ||
		r == 0x0A ||
		r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
