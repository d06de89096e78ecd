// SPDX-License-Identifier: Apache-2.0
// Quoting of identifiers and literals for the few places where SQL text must be composed
// (schema names of extensions, maintenance targets). Always quotes, so a hostile name can
// never close the identifier. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace pgvigil::pg {

// "name" with embedded double quotes doubled: my"table → "my""table". Quoting is
// unconditional (also for lower-case names) so case and keywords are preserved exactly.
std::string QuoteIdentifier(std::string_view name);

// A qualified name: "schema"."name".
std::string QuoteQualifiedName(std::string_view schema, std::string_view name);

// 'text' with single quotes doubled; with E'…' and doubled backslashes when the text holds a
// backslash, so the result means the same whatever standard_conforming_strings says.
std::string QuoteLiteral(std::string_view text);

}  // namespace pgvigil::pg
