// Reading untrusted JSON without exceptions: nlohmann's value() throws when a field has another
// type than the default, so a hostile or damaged file could end the program. These return the
// default instead.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace pingyi {

inline std::string jsonText(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return {};
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
inline bool jsonBool(const nlohmann::json& j, const char* key, bool dflt) {
    if (!j.is_object()) return dflt;
    auto it = j.find(key);
    return it != j.end() && it->is_boolean() ? it->get<bool>() : dflt;
}
inline long long jsonInt(const nlohmann::json& j, const char* key, long long dflt) {
    if (!j.is_object()) return dflt;
    auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<long long>() : dflt;
}
// The array under key, or an empty array.
inline nlohmann::json jsonArray(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return nlohmann::json::array();
    auto it = j.find(key);
    return it != j.end() && it->is_array() ? *it : nlohmann::json::array();
}

} // namespace pingyi
