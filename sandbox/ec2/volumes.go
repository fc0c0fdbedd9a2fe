package ec2

import (
	"context"
	"time"

	"github.com/irdrill/irdrill/sandbox/api"
)

func (r *region) volumeXML(v *volume) volumeXML {
	x := volumeXML{
		VolumeID: v.id, Size: v.size, SnapshotID: v.snapshotID, AvailabilityZone: v.zone.name, AvailabilityZoneID: v.zone.id,
		Status: "available", CreateTime: ec2Time(v.createTime), Tags: r.sortedTags(v.id), VolumeType: v.volumeType,
		Iops: v.iops, Encrypted: v.encrypted, Attachments: []volumeAttachmentXML{},
	}
	if a := v.attachment; a != nil {
		x.Status = "in-use"
		status := "attached"
		if inst, ok := r.instances.get(a.instanceID); ok && inst.state == statePending {
			status = "attaching"
		}
		x.Attachments = append(x.Attachments, volumeAttachmentXML{
			VolumeID: v.id, InstanceID: a.instanceID, Device: a.device, Status: status,
			AttachTime: ec2Time(a.attachTime), DeleteOnTermination: a.deleteOnTermination,
		})
	}
	return x
}

var volumeFilterNames = setOf("volume-id", "attachment.instance-id", "attachment.device", "attachment.status",
	"attachment.delete-on-termination", "attachment.attach-time", "availability-zone", "status", "size", "snapshot-id",
	"volume-type", "encrypted", "create-time", "multi-attach-enabled", "tag")

func describeVolumes(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "ec2:DescribeVolumes", nil, nil); err != nil {
		return nil, err
	}
	fs, err := parseFilters(call.Params, volumeFilterNames)
	if err != nil {
		return nil, err
	}
	ids := call.Params.List("VolumeId")
	for _, id := range ids {
		if !validID("vol-", id) {
			return nil, malformed("InvalidVolumeID.Malformed", id, "vol-")
		}
	}
	if len(ids) > 0 && call.Params.Has("MaxResults") {
		return nil, api.Errorf("InvalidParameterCombination", "The parameter volumeSet cannot be used with the parameter maxResults")
	}
	pg, err := parsePage(call.Params, 5, 500)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.settleAll(s.now())
	list, err := r.volumes.selectByID(ids)
	if err != nil {
		return nil, err
	}
	var out describeVolumesResult
	for _, v := range list {
		x := r.volumeXML(v)
		if !fs.match(func(name string) []string {
			var a *volumeAttachmentXML
			if len(x.Attachments) > 0 {
				a = &x.Attachments[0]
			}
			switch name {
			case "volume-id":
				return []string{v.id}
			case "attachment.instance-id":
				if a != nil {
					return []string{a.InstanceID}
				}
				return nil
			case "attachment.device":
				if a != nil {
					return []string{a.Device}
				}
				return nil
			case "attachment.status":
				if a != nil {
					return []string{a.Status}
				}
				return nil
			case "attachment.delete-on-termination":
				if a != nil {
					return []string{boolString(a.DeleteOnTermination)}
				}
				return nil
			case "attachment.attach-time":
				if a != nil {
					return []string{a.AttachTime}
				}
				return nil
			case "availability-zone":
				return []string{v.zone.name}
			case "status":
				return []string{x.Status}
			case "size":
				return []string{itoa(v.size)}
			case "snapshot-id":
				return []string{v.snapshotID}
			case "volume-type":
				return []string{v.volumeType}
			case "encrypted":
				return []string{boolString(v.encrypted)}
			case "create-time":
				return []string{x.CreateTime}
			case "multi-attach-enabled":
				return []string{"false"}
			}
			vals, _ := tagValues(name, r.tags[v.id])
			return vals
		}) {
			continue
		}
		out.Volumes = append(out.Volumes, x)
	}
	out.Volumes, out.NextToken = paginate(pg, out.Volumes)
	return out, nil
}

// snapshotXML renders a snapshot; it reports pending until the transition
// delay has passed on the service clock, then completed.
func (r *region) snapshotXML(sn *snapshot, now time.Time) snapshotXML {
	x := snapshotXML{
		SnapshotID: sn.id, VolumeID: sn.volumeID, Status: "completed", StartTime: ec2Time(sn.startTime), Progress: "100%",
		OwnerID: r.svc.accountID, VolumeSize: sn.volumeSize, Description: sn.description, Encrypted: sn.encrypted,
		StorageTier: "standard", Tags: r.sortedTags(sn.id),
	}
	if now.Before(sn.startTime.Add(r.svc.delay())) {
		x.Status, x.Progress = "pending", "0%"
	}
	return x
}

func createSnapshot(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	volumeID := call.Params.Get("VolumeId")
	resources := []string{"arn:aws:ec2:" + r.name + "::snapshot/*"}
	if volumeID != "" {
		resources = append(resources, s.arn(r, "volume/"+volumeID))
	}
	if err := call.Authorize(ctx, "ec2:CreateSnapshot", resources, nil); err != nil {
		return nil, err
	}
	if volumeID == "" {
		return nil, api.MissingParameter(api.ProtocolEC2, "VolumeId")
	}
	if !validID("vol-", volumeID) {
		return nil, malformed("InvalidVolumeID.Malformed", volumeID, "vol-")
	}
	description := call.Params.Get("Description")
	if len(description) > 255 {
		return nil, api.Errorf("InvalidParameterValue", "Value for parameter description is too long; the maximum is 255 characters.")
	}
	specs, err := parseTagSpecs(call.Params, "snapshot")
	if err != nil {
		return nil, err
	}
	now := s.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.settleAll(now)
	v, ok := r.volumes.get(volumeID)
	if !ok {
		return nil, notFound(volumeID)
	}
	sn := &snapshot{id: s.newID("snap-"), volumeID: v.id, description: description, volumeSize: v.size, startTime: now.Truncate(time.Millisecond), encrypted: v.encrypted}
	r.snapshots.add(sn.id, sn)
	r.setTags(sn.id, specs["snapshot"])
	x := r.snapshotXML(sn, now)
	x.Status, x.Progress = "pending", ""
	call.ResponseElements = map[string]any{
		"requestId": call.RequestID, "snapshotId": sn.id, "volumeId": v.id, "status": "pending",
		"startTime": epochMillis(sn.startTime), "progress": "", "ownerId": s.accountID, "volumeSize": v.size,
		"description": description, "encrypted": v.encrypted,
	}
	return x, nil
}

var snapshotFilterNames = setOf("snapshot-id", "volume-id", "status", "owner-id", "owner-alias", "description", "volume-size", "start-time", "progress", "encrypted", "storage-tier", "tag")

func describeSnapshots(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "ec2:DescribeSnapshots", nil, nil); err != nil {
		return nil, err
	}
	fs, err := parseFilters(call.Params, snapshotFilterNames)
	if err != nil {
		return nil, err
	}
	ids := call.Params.List("SnapshotId")
	for _, id := range ids {
		if !validID("snap-", id) {
			return nil, malformed("InvalidSnapshotID.Malformed", id, "snap-")
		}
	}
	if len(ids) > 0 && call.Params.Has("MaxResults") {
		return nil, api.Errorf("InvalidParameterCombination", "The parameter snapshotSet cannot be used with the parameter maxResults")
	}
	pg, err := parsePage(call.Params, 5, 1000)
	if err != nil {
		return nil, err
	}
	owners := call.Params.List("Owner")
	// The sandbox holds only the account's own snapshots, so an owner list
	// without self or the account ID matches nothing.
	ownOK := len(owners) == 0
	for _, o := range owners {
		ownOK = ownOK || o == "self" || o == s.accountID
	}
	now := s.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	list, err := r.snapshots.selectByID(ids)
	if err != nil {
		return nil, err
	}
	var out describeSnapshotsResult
	if !ownOK {
		return out, nil
	}
	for _, sn := range list {
		x := r.snapshotXML(sn, now)
		if !fs.match(func(name string) []string {
			switch name {
			case "snapshot-id":
				return []string{sn.id}
			case "volume-id":
				return []string{sn.volumeID}
			case "status":
				return []string{x.Status}
			case "owner-id":
				return []string{s.accountID}
			case "owner-alias":
				return nil
			case "description":
				return []string{sn.description}
			case "volume-size":
				return []string{itoa(sn.volumeSize)}
			case "start-time":
				return []string{x.StartTime}
			case "progress":
				return []string{x.Progress}
			case "encrypted":
				return []string{boolString(sn.encrypted)}
			case "storage-tier":
				return []string{"standard"}
			}
			vals, _ := tagValues(name, r.tags[sn.id])
			return vals
		}) {
			continue
		}
		out.Snapshots = append(out.Snapshots, x)
	}
	out.Snapshots, out.NextToken = paginate(pg, out.Snapshots)
	return out, nil
}

func deleteSnapshot(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	id := call.Params.Get("SnapshotId")
	resource := "arn:aws:ec2:" + r.name + "::snapshot/" + id
	if err := call.Authorize(ctx, "ec2:DeleteSnapshot", []string{resource}, nil); err != nil {
		return nil, err
	}
	if id == "" {
		return nil, api.MissingParameter(api.ProtocolEC2, "SnapshotId")
	}
	if !validID("snap-", id) {
		return nil, malformed("InvalidSnapshotID.Malformed", id, "snap-")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.snapshots.has(id) {
		return nil, notFound(id)
	}
	r.snapshots.remove(id)
	delete(r.tags, id)
	return acknowledged, nil
}
