// The API's OpenAPI 3.1 document, docs/openapi.json, as built into the
// binary (cmake/EmbedFile.cmake writes its definition at build time). One
// source: the file in the repository; tests/openapi checks it against the
// route table (router.h), the protos and its own examples.
#pragma once

#include <string_view>

namespace frontdoor {

// The document's bytes, exactly as in docs/openapi.json. Static storage.
std::string_view OpenApiDocument();

}  // namespace frontdoor
