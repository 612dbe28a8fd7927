// Package normalize canonicalises the clear personal identifiers of a record
// (names, postcodes, National Insurance numbers, phone numbers, e-mail
// addresses and postal addresses) before they are keyed into pseudonyms.
//
// Every function is pure, allocates little and is safe for concurrent use.
//
// # Stability
//
// The outputs of this package are hashed into pseudonyms, so every rule
// documented here is part of the pseudonymisation contract: two datasets
// match only if they were normalised by the same rules, and a change to any
// rule changes every pseudonym derived from it. Treat a change of output as a
// breaking change of the exercise format.
//
// To keep outputs independent of the Go release, the package uses no Unicode
// case tables: only ASCII letters are case-mapped, and non-ASCII characters
// are reduced to ASCII through their canonical (NFD) decompositions, whose
// stability Unicode guarantees, and a fixed list of special letters.
//
// # Characters
//
// Name and Address read their input as UTF-8 and reduce it to ASCII as
// follows:
//
//   - ASCII letters are lower-cased.
//   - ASCII digits are kept by Address and removed by Name.
//   - Apostrophes (' ` ´ ‘ ’ ʼ ʻ ′), soft hyphens, zero-width characters and
//     the middle dot (·) are removed without separating words, so O'Brien
//     becomes obrien.
//   - ß ẞ become ss; æ Æ ae; œ Œ oe; ĳ Ĳ ij; þ Þ th; ø Ø o; ł Ł ŀ Ŀ l;
//     đ Đ ð Ð d; ħ Ħ h; ı i.
//   - Other characters in the blocks Latin-1 Supplement punctuation and
//     symbols (U+00A0–U+00BF, × and ÷), General Punctuation (U+2000–U+206F),
//     the minus sign U+2212 and the ideographic space U+3000 separate words.
//   - Any other non-ASCII character is replaced by the ASCII letters of its
//     canonical (NFD) decomposition, which drops the combining marks
//     (é → e, Ł is listed above, Å → a); a character whose decomposition has
//     no ASCII letter (letters of non-Latin scripts, for example) is removed.
//     Transliteration of other scripts is out of scope.
//   - Invalid UTF-8 bytes are removed.
//   - Every other ASCII character (spaces, hyphens, dots, commas, brackets,
//     slashes and so on) separates words. Runs of separators become one
//     space, and leading and trailing separators are dropped.
package normalize
