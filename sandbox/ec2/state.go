package ec2

import (
	"time"
)

// instanceState is an instance's state; the values are EC2's state codes.
type instanceState int

const (
	statePending      instanceState = 0
	stateRunning      instanceState = 16
	stateShuttingDown instanceState = 32
	stateTerminated   instanceState = 48
	stateStopping     instanceState = 64
	stateStopped      instanceState = 80
)

func (st instanceState) String() string {
	switch st {
	case statePending:
		return "pending"
	case stateRunning:
		return "running"
	case stateShuttingDown:
		return "shutting-down"
	case stateTerminated:
		return "terminated"
	case stateStopping:
		return "stopping"
	case stateStopped:
		return "stopped"
	}
	return "unknown"
}

func (st instanceState) xml() stateXML { return stateXML{Code: int(st), Name: st.String()} }

func (st instanceState) transitional() bool {
	return st == statePending || st == stateStopping || st == stateShuttingDown
}

// parseStateName maps a state name to its state, for filters.
func stateCodeOf(name string) (instanceState, bool) {
	for _, st := range []instanceState{statePending, stateRunning, stateShuttingDown, stateTerminated, stateStopping, stateStopped} {
		if st.String() == name {
			return st, true
		}
	}
	return 0, false
}

// enter moves an instance into a state, counting transitional states so
// that settleAll can skip its pass when nothing is moving.
func (r *region) enter(inst *instance, st instanceState, now time.Time) {
	if inst.state.transitional() {
		r.transitional--
	}
	inst.state = st
	if st.transitional() {
		r.transitional++
		inst.transitionAt = now.Add(r.svc.delay())
	}
}

// settleAll completes every transition whose time has come. The state
// machine is:
//
//	pending       -> running     (launch, StartInstances)
//	stopping      -> stopped     (StopInstances)
//	shutting-down -> terminated  (TerminateInstances)
//
// A stopped instance that is terminated goes straight to terminated, as the
// playbook's terminate-instances output shows.
func (r *region) settleAll(now time.Time) {
	if r.transitional == 0 {
		return
	}
	for _, inst := range r.instances.items {
		if inst.state.transitional() && !now.Before(inst.transitionAt) {
			r.settle(inst, now)
		}
	}
}

func (r *region) settle(inst *instance, now time.Time) {
	switch inst.state {
	case statePending:
		r.enter(inst, stateRunning, now)
		inst.stateReasonCode, inst.stateReasonMessage = "", ""
	case stateStopping:
		r.enter(inst, stateStopped, now)
		inst.markUserShutdown()
		// A stopped instance loses its auto-assigned public address.
		if e, ok := r.enis.get(inst.eniID); ok && inst.autoPublicIP {
			e.publicIP = ""
		}
	case stateShuttingDown:
		r.finishTermination(inst, now)
	}
}

// markUserShutdown records the state reason AWS reports once a user has
// stopped or terminated an instance.
func (inst *instance) markUserShutdown() {
	inst.stateReasonCode = "Client.UserInitiatedShutdown"
	inst.stateReasonMessage = "Client.UserInitiatedShutdown: User initiated shutdown"
}

// finishTermination releases what a terminated instance held: the network
// interface and volumes marked DeleteOnTermination are deleted, others are
// detached, and the private address returns to the subnet.
func (r *region) finishTermination(inst *instance, now time.Time) {
	r.enter(inst, stateTerminated, now)
	inst.terminatedAt = now
	inst.markUserShutdown()
	if e, ok := r.enis.get(inst.eniID); ok {
		if sn, ok := r.subnets.get(e.subnetID); ok && (e.attachment == nil || e.attachment.deleteOnTermination) {
			delete(sn.used, e.privateIP)
		}
		if e.attachment == nil || e.attachment.deleteOnTermination {
			r.enis.remove(e.id)
			delete(r.tags, e.id)
		} else {
			e.attachment = nil
			e.publicIP = ""
		}
	}
	for _, id := range r.volumes.order {
		v := r.volumes.byID[id]
		if v.attachment == nil || v.attachment.instanceID != inst.id {
			continue
		}
		if v.attachment.deleteOnTermination {
			defer r.volumes.remove(v.id)
			defer delete(r.tags, v.id)
		} else {
			v.attachment = nil
		}
	}
}

func (r *region) visible(inst *instance, now time.Time) bool {
	return inst.state != stateTerminated || now.Sub(inst.terminatedAt) < terminatedRetention
}
