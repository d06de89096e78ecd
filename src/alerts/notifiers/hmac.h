// SPDX-License-Identifier: Apache-2.0
// HMAC-SHA256 (RFC 2104) through OpenSSL's libcrypto, for the webhook's signature header.
#pragma once

#include <string>
#include <string_view>

namespace pgvigil::alerts {

// The MAC of `message` under `key`, as 64 lower-case hex digits.
std::string HmacSha256Hex(std::string_view key, std::string_view message);

}  // namespace pgvigil::alerts
