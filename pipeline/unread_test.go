package pipeline

import (
	"maps"
	"testing"

	"github.com/datamatch/datamatch/internal/load"
)

func TestUnreadTenants(t *testing.T) {
	rep := &load.Report{Quarantine: []load.Quarantined{
		{Row: 1, TenancyRef: " T1 ", TenancyRole: "Joint Tenant"},
		{Row: 2, TenancyRef: "T2", TenancyRole: "MEMBER"}, // a household member holds no tenancy
		{Row: 3, TenancyRef: "T3"},                        // no role: taken as a tenant
		{Row: 4, TenancyRole: "lead"},                     // no tenancy to speak of
	}}
	got := unreadTenants(rep)
	want := map[string]bool{"T1": true, "T3": true}
	if !maps.Equal(got, want) {
		t.Errorf("unreadTenants = %v, want %v", got, want)
	}
	if unreadTenants(nil) != nil || unreadTenants(&load.Report{}) != nil {
		t.Error("no quarantine gives tenancies")
	}
}
