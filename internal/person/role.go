package person

// Role says what a dataset is, and so which detections may use it and which
// role-specific columns it carries.
type Role string

// Dataset roles.
const (
	RoleTenancy       Role = "tenancy"        // the landlord's own tenancy export
	RoleOtherLandlord Role = "other_landlord" // another social landlord's tenancies
	RoleDeceased      Role = "deceased"       // a deceased-persons register
	RoleUtilityClosed Role = "utility_closed" // a utility provider's closed accounts, with forwarding addresses
	RoleCouncilTax    Role = "council_tax"    // council-tax accounts
	RolePeople        Role = "people"         // any other list of people (benchmarks, ad hoc links)
)

// Roles lists every role.
var Roles = []Role{RoleTenancy, RoleOtherLandlord, RoleDeceased, RoleUtilityClosed, RoleCouncilTax, RolePeople}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}
