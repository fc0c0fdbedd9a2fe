package ec2

import (
	"context"
	"strings"

	"github.com/irdrill/irdrill/sandbox/api"
)

// DefaultFlowLogFormat is the format of flow logs created without
// LogFormat: the 14 version-2 fields.
const DefaultFlowLogFormat = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"

// FlowLogFields lists every field a custom flow log format may use, in
// AWS's documented order (versions 2 to 8 plus the later resource-id and
// encryption-status).
var FlowLogFields = []string{
	"version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end", "action", "log-status",
	"vpc-id", "subnet-id", "instance-id", "tcp-flags", "type", "pkt-srcaddr", "pkt-dstaddr",
	"region", "az-id", "sublocation-type", "sublocation-id",
	"pkt-src-aws-service", "pkt-dst-aws-service", "flow-direction", "traffic-path",
	"ecs-cluster-arn", "ecs-cluster-name", "ecs-container-instance-arn", "ecs-container-instance-id", "ecs-container-id",
	"ecs-second-container-id", "ecs-service-name", "ecs-task-definition-arn", "ecs-task-arn", "ecs-task-id",
	"reject-reason", "resource-id", "encryption-status",
}

var flowLogFieldSet = setOf(FlowLogFields...)

// ParseLogFormat splits a flow log format ("${srcaddr} ${dstaddr} ...") into
// its field names. Fields are separated by single or repeated spaces and
// must each be a known ${field}; duplicates are allowed, as AWS allows them.
// The error is EC2's InvalidParameter answer naming the offending token.
func ParseLogFormat(format string) ([]string, error) {
	if strings.TrimSpace(format) == "" {
		return nil, api.Errorf("InvalidParameter", "LogFormat must contain at least one field.")
	}
	var fields []string
	for _, token := range strings.Fields(format) {
		name, ok := strings.CutPrefix(token, "${")
		if ok {
			name, ok = strings.CutSuffix(name, "}")
		}
		if !ok || name == "" || strings.ContainsAny(name, "${}") {
			return nil, api.Errorf("InvalidParameter", "Invalid Flow Log format: %s. Fields must be in the form ${field-name} separated by spaces.", token)
		}
		if !flowLogFieldSet[name] {
			return nil, api.Errorf("InvalidParameter", "Unknown fields provided: %s", token)
		}
		fields = append(fields, name)
	}
	return fields, nil
}

func (r *region) flowLogXML(f *flowLog) flowLogXML {
	return flowLogXML{
		FlowLogID: f.id, CreationTime: ec2Time(f.creationTime), DeliverLogsPermissionArn: f.permissionARN,
		DeliverLogsStatus: "SUCCESS", FlowLogStatus: "ACTIVE", LogGroupName: f.logGroupName, ResourceID: f.resourceID,
		TrafficType: f.trafficType, LogDestinationType: f.destinationType, LogDestination: f.destination,
		LogFormat: f.format, MaxAggregationInterval: f.maxAggregationInterval, Tags: r.sortedTags(f.id),
	}
}

func createFlowLogs(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	p := call.Params
	ids := p.List("ResourceId")
	resources := []string{s.arn(r, "vpc-flow-log/*")}
	for _, id := range ids {
		resources = append(resources, s.resourceARN(r, id))
	}
	if err := call.Authorize(ctx, "ec2:CreateFlowLogs", resources, nil); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, api.MissingParameter(api.ProtocolEC2, "ResourceId")
	}
	if len(ids) > 1000 {
		return nil, api.Errorf("InvalidParameterValue", "A maximum of 1000 resources can be specified in one request.")
	}
	resourceType, ok := p.Lookup("ResourceType")
	if !ok {
		return nil, api.MissingParameter(api.ProtocolEC2, "ResourceType")
	}
	prefix := map[string]string{"VPC": "vpc-", "Subnet": "subnet-", "NetworkInterface": "eni-"}[resourceType]
	if prefix == "" {
		return nil, api.Errorf("InvalidParameterValue", "Value (%s) for parameter resourceType is invalid. Valid values are VPC, Subnet, NetworkInterface.", resourceType)
	}
	trafficType, ok := p.Lookup("TrafficType")
	if !ok {
		return nil, api.MissingParameter(api.ProtocolEC2, "TrafficType")
	}
	if trafficType != "ACCEPT" && trafficType != "REJECT" && trafficType != "ALL" {
		return nil, api.Errorf("InvalidParameterValue", "Value (%s) for parameter trafficType is invalid. Valid values are ACCEPT, REJECT, ALL.", trafficType)
	}
	destType := p.Get("LogDestinationType")
	if destType == "" {
		destType = "cloud-watch-logs"
	}
	logGroup, destination, roleARN := p.Get("LogGroupName"), p.Get("LogDestination"), p.Get("DeliverLogsPermissionArn")
	switch destType {
	case "cloud-watch-logs":
		switch {
		case logGroup != "" && destination != "":
			return nil, api.Errorf("InvalidParameter", "Please only provide LogGroupName or only provide LogDestination.")
		case logGroup == "" && destination == "":
			return nil, api.Errorf("InvalidParameter", "LogDestination or LogGroupName must be provided for cloud-watch-logs.")
		case destination != "":
			name, ok := logGroupFromARN(destination)
			if !ok {
				return nil, api.Errorf("InvalidParameter", "LogDestination: %s is not a valid CloudWatch Logs log group ARN.", destination)
			}
			logGroup = name
		default:
			destination = "arn:aws:logs:" + r.name + ":" + s.accountID + ":log-group:" + logGroup
		}
		if roleARN == "" {
			return nil, api.Errorf("InvalidParameter", "DeliverLogsPermissionArn must be provided for cloud-watch-logs.")
		}
		if !strings.HasPrefix(roleARN, "arn:aws:iam::") || !strings.Contains(roleARN, ":role/") {
			return nil, api.Errorf("InvalidParameter", "DeliverLogsPermissionArn: %s is not a valid IAM role ARN.", roleARN)
		}
		// The delivery role is passed to the flow logs service.
		if err := call.AuthorizePassRole(ctx, roleARN, "vpc-flow-logs.amazonaws.com"); err != nil {
			return nil, err
		}
	case "s3":
		if logGroup != "" {
			return nil, api.Errorf("InvalidParameter", "LogGroupName can only be used with cloud-watch-logs.")
		}
		if !strings.HasPrefix(destination, "arn:aws:s3:::") || len(destination) == len("arn:aws:s3:::") {
			return nil, api.Errorf("InvalidParameter", "LogDestination: %s must be an S3 bucket ARN (arn:aws:s3:::bucket[/prefix]).", destination)
		}
	case "kinesis-data-firehose":
		if !strings.HasPrefix(destination, "arn:aws:firehose:") {
			return nil, api.Errorf("InvalidParameter", "LogDestination: %s must be a Kinesis Data Firehose delivery stream ARN.", destination)
		}
	default:
		return nil, api.Errorf("InvalidParameterValue", "Value (%s) for parameter logDestinationType is invalid. Valid values are cloud-watch-logs, s3, kinesis-data-firehose.", destType)
	}
	format := p.Get("LogFormat")
	if format == "" {
		format = DefaultFlowLogFormat
	} else if _, err := ParseLogFormat(format); err != nil {
		return nil, err
	}
	interval := 600
	if n, ok, err := p.Int("MaxAggregationInterval"); err != nil {
		return nil, err
	} else if ok {
		if n != 60 && n != 600 {
			return nil, api.Errorf("InvalidParameterValue", "Value (%d) for parameter maxAggregationInterval is invalid. Valid values are 60 and 600.", n)
		}
		interval = int(n)
	}
	specs, err := parseTagSpecs(p, "vpc-flow-log")
	if err != nil {
		return nil, err
	}
	token := p.Get("ClientToken")
	now := s.now()

	r.mu.Lock()
	defer r.mu.Unlock()
	if token != "" {
		if prior, ok := r.flowTokens[token]; ok {
			return createFlowLogsResult{ClientToken: token, FlowLogIDs: prior, Unsuccessful: []unsuccessfulItemXML{}}, nil
		}
	}
	out := createFlowLogsResult{ClientToken: token, FlowLogIDs: []string{}, Unsuccessful: []unsuccessfulItemXML{}}
	for _, id := range ids {
		if !strings.HasPrefix(id, prefix) || !r.exists(id) {
			var item unsuccessfulItemXML
			item.ResourceID = id
			e := notFound(id)
			if !strings.HasPrefix(id, prefix) {
				e = api.Errorf("InvalidParameter", "Resource %s is not of type %s", id, resourceType)
			}
			item.Error.Code, item.Error.Message = e.Code, e.Message
			out.Unsuccessful = append(out.Unsuccessful, item)
			continue
		}
		duplicate := false
		for _, f := range r.flowLogs.all() {
			if f.resourceID == id && f.destinationType == destType && f.destination == destination && f.trafficType == trafficType {
				duplicate = true
			}
		}
		if duplicate {
			var item unsuccessfulItemXML
			item.ResourceID = id
			item.Error.Code = "FlowLogAlreadyExists"
			item.Error.Message = "There is an existing Flow Log with the same configuration and log destination."
			out.Unsuccessful = append(out.Unsuccessful, item)
			continue
		}
		f := &flowLog{
			id: s.newID("fl-"), resourceID: id, trafficType: trafficType, destinationType: destType, logGroupName: logGroup,
			destination: destination, format: format, maxAggregationInterval: interval, creationTime: now,
		}
		if destType == "cloud-watch-logs" {
			f.permissionARN = roleARN
		}
		r.flowLogs.add(f.id, f)
		r.setTags(f.id, specs["vpc-flow-log"])
		out.FlowLogIDs = append(out.FlowLogIDs, f.id)
	}
	if token != "" {
		r.flowTokens[token] = out.FlowLogIDs
	}
	call.ResponseElements = map[string]any{"requestId": call.RequestID, "clientToken": token, "flowLogIdSet": map[string]any{"items": out.FlowLogIDs}, "unsuccessful": map[string]any{}}
	return out, nil
}

// logGroupFromARN extracts the group name from
// arn:aws:logs:region:account:log-group:NAME[:*].
func logGroupFromARN(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "logs" || parts[5] != "log-group" {
		return "", false
	}
	name := strings.TrimSuffix(parts[6], ":*")
	return name, name != ""
}

func describeFlowLogs(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "ec2:DescribeFlowLogs", nil, nil); err != nil {
		return nil, err
	}
	fs, err := parseFilters(call.Params, setOf("deliver-log-status", "log-destination-type", "flow-log-id", "log-group-name", "resource-id", "traffic-type", "tag"))
	if err != nil {
		return nil, err
	}
	pg, err := parsePage(call.Params, 1, 1000)
	if err != nil {
		return nil, err
	}
	wanted := setOf(call.Params.List("FlowLogId")...)
	r.mu.Lock()
	defer r.mu.Unlock()
	var out describeFlowLogsResult
	for _, f := range r.flowLogs.all() {
		if len(wanted) > 0 && !wanted[f.id] {
			continue
		}
		if !fs.match(func(name string) []string {
			switch name {
			case "deliver-log-status":
				return []string{"SUCCESS"}
			case "log-destination-type":
				return []string{f.destinationType}
			case "flow-log-id":
				return []string{f.id}
			case "log-group-name":
				return []string{f.logGroupName}
			case "resource-id":
				return []string{f.resourceID}
			case "traffic-type":
				return []string{f.trafficType}
			}
			vals, _ := tagValues(name, r.tags[f.id])
			return vals
		}) {
			continue
		}
		out.FlowLogs = append(out.FlowLogs, r.flowLogXML(f))
	}
	out.FlowLogs, out.NextToken = paginate(pg, out.FlowLogs)
	return out, nil
}

func deleteFlowLogs(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	ids := call.Params.List("FlowLogId")
	resources := make([]string, 0, len(ids))
	for _, id := range ids {
		resources = append(resources, s.arn(r, "vpc-flow-log/"+id))
	}
	if err := call.Authorize(ctx, "ec2:DeleteFlowLogs", resources, nil); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, api.MissingParameter(api.ProtocolEC2, "FlowLogId")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := deleteFlowLogsResult{Unsuccessful: []unsuccessfulItemXML{}}
	for _, id := range ids {
		if !r.flowLogs.has(id) {
			var item unsuccessfulItemXML
			item.ResourceID = id
			item.Error.Code = "InvalidFlowLogId.NotFound"
			item.Error.Message = "flow log '" + id + "' does not exist"
			out.Unsuccessful = append(out.Unsuccessful, item)
			continue
		}
		r.flowLogs.remove(id)
		delete(r.tags, id)
	}
	return out, nil
}
