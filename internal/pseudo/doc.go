// Package pseudo defines the pseudonymised person record that matching works
// on, and the Encoder that makes it from a clear person.Record under the
// exercise key.
//
// Nothing in a Record is a clear identifier: names, dates of birth, NI
// numbers, addresses, postcodes, phones and emails are present only as keyed
// pseudonyms (Token) and keyed Bloom-filter similarity encodings (NameFilter,
// AddressFilter). Attributes that are evidence for a detection (tenancy
// dates, date of death, balance) are carried as they are. Partners of an
// exercise encode their own data with the shared key and exchange only
// encoded files (WriteFile, ReadFile; the format is in FORMAT.md).
//
// # Exact pseudonyms
//
// A Token is the first 8 bytes, read big-endian, of HMAC-SHA256 under a
// per-field sub-key of the normalised value. Sub-keys come from
// key.Key.Derive("token/" + domain), so equal values of different fields get
// unrelated tokens (domain separation), with one exception: the forename
// and the surname share the domain "name", so that names exchanged between
// the two fields, or a maiden name kept as a middle name, can be matched
// (Mary Smith and Smith Mary). A result of 0 is replaced by 1, so
// that 0 can mean null. 64 bits are enough for equality: among n distinct
// values of a field the chance of any collision is about n²/2⁶⁵ (the
// birthday bound), 3·10⁻⁶ for 10 million and 1·10⁻⁵ for 20 million (a
// large exercise of 10 million records per side), and a collision can only
// make some pairs agree on one field, which the other fields outvote.
//
// The values keyed, after the internal/normalize rules, are:
//
//   - forename (domain name): the first word of the normalised forename
//     ("Mary-Jane" → mary); forename.phonetic: its Double Metaphone codes;
//     forename.group: its nickname group (bob, rob, robert → robert);
//     forename.initial: its first letter, with ForenameIsInitial set when
//     the word is that letter alone ("J Turner");
//   - middle_names: the words of the forename after the first, then those of
//     the middle-names column, joined by spaces ("Mary Jane" + "Anne" → jane
//     anne), so that "Mary Jane" and "Mary" + "Jane" agree; MiddleSurname:
//     the last of those words keyed in the name domain, so that it equals
//     the Surname of a record made under a surname the person no longer
//     uses but kept as a middle name, and the Forename of a record of a
//     person known by that middle name;
//   - surname (domain name): the words of the normalised surname joined without spaces
//     ("Smith-Jones", "Smith Jones" → smithjones); surname.phonetic: the
//     Double Metaphone codes of that; SurnameParts (domain name): the
//     parts of a compound surname, normalize.SurnameParts ("Smith-Jones"
//     → smith, jones; "van der Berg" → berg), null for one word;
//   - phonetic codes: the primary code in ForenamePhonetic/SurnamePhonetic,
//     the alternate in ForenamePhonAlt/SurnamePhonAlt, null when it equals
//     the primary. Both are keyed in one domain, so one record's alternate
//     can be compared with another's primary;
//   - dob: "YYYY-MM-DD"; dob.year "YYYY"; dob.month_day "MM-DD";
//     dob.year_month "YYYY-MM"; dob.year_day "YYYY-DD". DOBSwapped is the
//     date with day and month exchanged, when the day is at most 12 and
//     differs from the month, keyed in the dob domain, so that it equals the
//     DOB of a record where day and month were transposed. dob.window:
//     "h/g/i", window i on grid g (0 or 1) of half-width h days, for h =
//     WindowMonth in DOBMonth and h = WindowYear in DOBWithinYear, where
//     for a date n days after 1970-01-01 i = ⌊n/2h⌋ on grid 0 and
//     ⌊(n+h)/2h⌋ on grid 1. Placeholder dates
//     (normalize.IsPlaceholderDate) are null;
//   - ni_number: the core (prefix and digits, no suffix) of a valid or
//     foreign-format number; placeholders (TN, dummies) are null;
//   - passport_number: the number as normalize.Passport cleans it (letters
//     and digits, upper case); placeholders and dummies are null;
//   - gender: F, M or X, as normalize.Gender reads a sex or gender word,
//     an ISO/IEC 5218 code or a gendered title; null when none is stated.
//     A record holds not the token but its rank among the three genders'
//     tokens, 1 to 3 (GenderCode): as keyed, and one byte;
//   - postcode: the canonical postcode ("SK1 3NQ"; a non-UK one as
//     normalize.Postcode keeps it); postcode.outward ("SK1") and
//     postcode.sector ("SK1 3") for UK postcodes only;
//   - house_number: normalize.HouseNumber of the address;
//   - uprn: the digits without leading zeros (see the UPRN rule in the
//     source); phone: E.164 when normalize.Phone can make it, else its
//     digits; email: the trimmed, lower-cased address.
//
// # Similarity encodings
//
// ForenameBF (the first forename word), SurnameBF (the joined surname) and
// AddressBF (the normalised address) are field-level Bloom filters (Schnell,
// Bachteler and Reiher, 2009), the scheme clkhash calls field-level
// encoding: each word is padded with "_" at both ends and cut into bigrams
// ("smith" → _s sm mi it th h_), and each bigram sets k bits. The k
// positions of a bigram are read from HMAC-SHA256(sub-key, bigram || i),
// i = 0, 1, ..., as big-endian 16-bit numbers modulo the filter length (a
// power of two, so unbiased); there is no double hashing, whose structure
// known attacks exploit. Each field has its own sub-key
// (Derive("bloom/forename"), "bloom/surname", "bloom/address") and its own
// filter, so no bit position is shared across fields. The Count fields hold
// the number of bits set; 0 means null. Similarity is the Dice coefficient
// 2|A∧B| / (|A| + |B|).
//
// ForenameEdits and SurnameEdits encode the one-edit neighbourhood of the
// same words (see Edits): 32-bit values of AES-256 under
// Derive("edits/forename") and Derive("edits/surname") of the word and of
// each string made by deleting one of its bytes, for words of at most
// MaxEditLen bytes. Two words share a value when one character was
// mistyped, left out or added, or two adjacent ones exchanged: the typing
// errors that bigram similarity ranks poorly in short names (Karen, Kraen:
// Dice 0.25). NIEdits does the same for the NI number's core, the value
// keyed as ni_number, under Derive("edits/ni_number"): a number with one
// digit mistyped, or two exchanged, is told from another person's.
//
// Parameters, chosen by measurement on FEBRL4 (5,000 true pairs between
// dataset4a and 4b; 100,000 random false pairs and 24,390 false pairs that
// share a postcode), with AUC the chance that a true pair scores above a
// false one:
//
//   - q-gram length 2. Trigrams gave the same AUC (±0.002) but fewer true
//     pairs at high Dice (surname, k=30: 0.739 against 0.790 at Dice ≥ 0.8).
//   - Names: 512 bits, k = 30. Mean fill 0.33–0.35. Surname AUC 0.935,
//     forename 0.920; the bigram sets themselves reach 0.934 and 0.916, so
//     the encoding loses nothing measurable. k from 5 to 30 changed AUC by
//     less than 0.005; k = 30, the largest value measured, kept false
//     pairs at Dice ≥ 0.8 at 0.5–0.6%, and a fuller filter collides more,
//     which hinders the pattern-mining attacks below. 256 bits at k = 30
//     saturate (fill 0.58, AUC 0.931).
//   - Addresses: 1024 bits, k = 10, bigrams of each word (spaces are not
//     q-gram characters). Fill 0.32, AUC 0.9993 (the bigram sets: 0.9999);
//     92% of true pairs at Dice ≥ 0.8 and no false pair. k = 5 gives AUC
//     0.9997 but a sparser filter; k = 20 gives 0.9978; at 512 bits and
//     k = 20 the filter saturates (fill 0.78) and 58% of same-postcode false
//     pairs reach Dice 0.8. Adding whole words as extra features changed AUC by less than 0.0005 and lowered true pairs at
//     Dice ≥ 0.8 from 0.923 to 0.915, so it is not done; bigrams over the
//     whole string with spaces as characters measured the same as per-word
//     bigrams.
//
// # Hardening
//
// Adopted: keyed hashing (positions and tokens are unknowable without the
// key), per-field sub-keys and filters, no double hashing, filters filled
// to about a third. Measured and not adopted: bit flipping (BLIP-style
// random response, deterministic per value so that equal values still
// agree). At flip rates 0.01, 0.02 and 0.05 the surname AUC barely moved
// (0.9347 → 0.9346, 0.9342, 0.9339) but the share of true address pairs at
// Dice ≥ 0.9 fell from 0.758 to 0.662, 0.486 and 0.187, and of surname
// pairs at Dice ≥ 0.8 from 0.790 to 0.708 at 0.05: it costs the
// high-similarity levels the matcher relies on, and it cannot hide value
// frequencies while exact tokens of the same fields sit beside the filters.
// Balancing (appending the complement to fix the bit count) and salting
// with another field were not adopted for the same reason: they hide a
// filter's length or cut cross-field comparisons but not the frequency of
// the exact tokens next to them, and salting breaks matching when the salt
// field has an error.
//
// # Threat model
//
// The exercise key is held by the landlord and the partners of one
// exercise, and by nobody else; it never leaves them in any file this
// package writes (files name it by its ID).
//
// Someone holding an encoded file but not the key learns no value directly,
// but does learn frequencies and structure:
//
//   - Every exact token of a field is a deterministic function of the value,
//     so token frequencies are value frequencies. Low-cardinality fields
//     leak most: dob.year (about 100 values), dob.month_day, postcode
//     outward codes and sectors, forename groups and phonetic codes can be
//     aligned with public frequency tables (the most common token of
//     surname_phonetic is almost surely SM0, Smith). Common surnames and
//     forenames follow. Gender takes three values, and its two common
//     codes are told apart by the forenames they come with: an encoded
//     file tells each record's recorded gender to whoever holds it. Unique
//     fields (NI and passport numbers, phone, email, UPRN) leak only
//     equality across records.
//   - Bloom filters add the q-gram structure: frequency and pattern-mining
//     attacks (Kuzu et al. 2011; Christen, Schnell, Vatsalan and Ranbaduge,
//     "Efficient cryptanalysis of Bloom filters for privacy-preserving
//     record linkage", PAKDD 2017; Christen et al., "Pattern-mining based
//     cryptanalysis of Bloom filters", 2018) align frequent filters with
//     frequent names and then find which bits belong to which bigrams,
//     after which rare names can be read back. Name filters are the most
//     exposed (short values, skewed frequencies, same value → same filter);
//     address filters less so (long, near-unique), though house numbers and
//     common street words repeat. Keyed hashing stops an attacker from
//     computing positions but not from these attacks.
//   - Together with the attributes carried in clear (tenancy dates, date of
//     death, balance) an encoded file is personal data, not anonymous data,
//     and is handled as such: mode 0600, minimised, deleted with the
//     exercise.
//
// Someone holding the key can pseudonymise guesses — every name in a
// telephone directory, every date of birth of a century, every postcode —
// and look them up: a dictionary attack that re-identifies most records in
// minutes. The key must therefore be protected like the clear data
// (internal/key refuses key files readable by others), and an encoded file
// offers protection only against those who do not hold it.
//
// The Encoder itself caches clear values (names, postcodes) in memory to
// avoid re-hashing them; it lives only in the process that already holds
// the clear records.
package pseudo
