package normalize

import "strings"

// Canonical tenancy roles.
const (
	RoleLead      = "lead"
	RoleJoint     = "joint"
	RoleHousehold = "household"
)

// TenancyRole maps the role a housing system records for a person on a
// tenancy onto the canonical lead, joint or household. Exports spell these
// many ways ("LEAD", "Lead Tenant", "Sole tenant", "JOINT", "Joint
// Tenant", "MEMBER", "Household member", "Occupant", "Dependant"). It reports
// false, and returns "", for a value it does not recognise or an empty one.
func TenancyRole(s string) (string, bool) {
	f := strings.Fields(strings.ToLower(strings.NewReplacer("_", " ", "-", " ", ".", " ").Replace(s)))
	if len(f) == 0 {
		return "", false
	}
	for _, w := range f {
		switch w {
		case "lead", "sole", "main", "principal", "primary", "tenant1":
			return RoleLead, true
		case "joint", "tenant2", "co":
			return RoleJoint, true
		case "member", "household", "occupant", "occupier", "dependant", "dependent", "resident", "child", "lodger", "relative":
			return RoleHousehold, true
		}
	}
	if len(f) == 1 && (f[0] == "tenant" || f[0] == "t") {
		return RoleLead, true
	}
	return "", false
}
