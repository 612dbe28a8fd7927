package normalize

import "testing"

func TestTenancyRole(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"LEAD", RoleLead, true},
		{"Lead Tenant", RoleLead, true},
		{"sole_tenant", RoleLead, true},
		{"Tenant", RoleLead, true},
		{"JOINT", RoleJoint, true},
		{"Joint Tenant", RoleJoint, true},
		{"co-tenant", RoleJoint, true},
		{"MEMBER", RoleHousehold, true},
		{"Household member", RoleHousehold, true},
		{"dependant", RoleHousehold, true},
		{"", "", false},
		{"landlord", "", false},
	}
	for _, tt := range tests {
		got, ok := TenancyRole(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("TenancyRole(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzTenancyRole(f *testing.F) {
	for _, s := range []string{"LEAD", "Joint Tenant", "MEMBER", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := TenancyRole(s)
		if !ok {
			if got != "" {
				t.Fatalf("TenancyRole(%q) = %q but not ok", s, got)
			}
			return
		}
		again, ok2 := TenancyRole(got)
		if !ok2 || again != got {
			t.Fatalf("TenancyRole not idempotent on %q: %q -> %q", s, got, again)
		}
	})
}
