// Package rights honours data-subject rights in a matching exercise: it
// keeps people who restricted processing or objected out of matching, and it
// answers subject access requests by finding every place datamatch holds
// something about a person.
//
// # Restrictions and objections
//
// A restrictions file lists people who exercised the right to restriction
// (UK GDPR Article 18), the right to object (Article 21) or the right not to
// be subject to solely automated decision-making (Article 22). It is a CSV
// file, UTF-8 (a leading byte-order mark is ignored), whose header names
// these columns, in any order, and may name passport_number as well:
//
//	kind         restriction | objection | objection_automated (case-insensitive; "-" or " " may stand for "_")
//	forename     as the person gave it
//	surname      as the person gave it
//	dob          date of birth, ISO 8601 (1980-04-21); may be empty
//	ni_number    National Insurance number, spaces allowed; may be empty
//	passport_number  passport or travel document number; optional column, may be empty
//	postcode     may be empty
//	reference    the landlord's reference for the request (not personal data)
//	received     the date the request was received, ISO 8601; may be empty
//
// internal/rights/testdata/restrictions.example.csv is an example.
//
// Every row must carry enough to recognise the person: an NI or passport number, or a
// surname and a date of birth with a forename or a postcode, or a forename,
// a date of birth and a postcode. A file with an unknown or missing column,
// an unknown kind, an unreadable date or a row that could never match anyone
// is refused as a whole, with every problem named by file, line and column
// and never by value: an unusable entry must be fixed, not skipped, since an
// ignored objection breaks the law.
//
// The list is itself personal data. LoadList normalises and pseudonymises
// each row with the exercise key (the Encoder of internal/pseudo) and keeps
// only the keyed pseudonyms, the kind, the reference and the received date;
// the clear values are dropped as soon as the row is encoded.
//
// An input record is excluded from matching when it agrees with a listed
// person on any one of these combinations of pseudonyms (a null never
// agrees):
//
//	ni_number                                        the NI number (its core, without the suffix letter)
//	passport_number                                  the passport number
//	surname, forename, dob                           exact forename
//	surname, forename nickname group, dob            Bob for Robert, Peggy for Margaret
//	surname, dob, postcode
//	forename or nickname group, dob, postcode        a surname changed on marriage
//
// The rules are deliberately generous: excluding a record that only
// resembles a listed person costs at most a missed case, while processing a
// person who objected is unlawful. The last rule goes beyond the surname
// rules so that a listed person who has since changed surname is still
// recognised at the same address.
//
// # Subject access
//
// Search takes a person's identifiers and a set of Sources (input datasets,
// the review queue with its decisions, run outputs and the re-identification
// vault) and reports each record, case and file that refers to them, with
// the fields held. An output's row is the subject's when it holds a
// reference, case id or record id of theirs, or, in an output that holds
// clear values and perhaps no reference (a utility provider receives a
// name and a tenancy start date), when its values on one side of the case
// are those of a record found for them: at least two agree, one of them
// a surname or an identifier, and none differs. Records are recognised with the same rules as
// restrictions, so a finding is a possible match: the report says which rule
// matched, and each finding must be checked before anything is disclosed.
//
// # Erasure
//
// Erase honours a request for erasure (Article 17) in what the exercise
// itself holds. It searches as Search does, then writes every output file
// anew without the rows about the subject, and every vault anew without
// their entries; each file is replaced atomically. It changes nothing
// else, and says so: the input datasets are the landlord's and its
// partners' own systems, to be erased there (or the person listed in the
// restrictions file, or the next run finds them again), and review cases
// hold only pseudonymous references and the decisions taken, the audit
// trail that Article 17(3) lets the landlord keep. A decision's reason is
// in the reviewer's own words and may name the subject: asked to
// (EraseOptions.Reasons), Erase replaces each such reason with a note of
// the request, and the decision's outcome, reviewer and time stay.
// Whether erasure applies at all, and to the reasons, is for the data
// protection officer to decide before it is run; a dry run shows what it
// would remove.
package rights
