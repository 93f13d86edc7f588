// Printable token slips: an HTML page (A4, Chinese by default) with one slip per token and
// cut lines, naming the campaign, the meeting and the category. Pure: returns the text.
#pragma once

#include "core/campaign.hpp"
#include "core/catalog.hpp"
#include "core/token.hpp"

#include <string>
#include <vector>

namespace pingyi {

std::string renderSlipsHtml(const Campaign& c, const MeetingRef& meeting,
                            const std::string& category, const std::vector<Token>& tokens,
                            Lang lang);
std::string htmlEscape(std::string_view s);

} // namespace pingyi
