// SPDX-License-Identifier: Apache-2.0
#include "alerts/notifiers/hmac.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace pgvigil::alerts {

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // The one-shot HMAC() (not deprecated in OpenSSL 3); a SHA-256 MAC is 32 bytes.
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[mac[i] >> 4]);
    hex.push_back(kHex[mac[i] & 0xf]);
  }
  return hex;
}

}  // namespace pgvigil::alerts
