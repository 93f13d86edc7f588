// The organiser's campaign folder:
//   campaign.json        the editable campaign source
//   tokens/issued.json   the tags of every token issued before sealing (never the tokens)
//   tokens/*.csv, *.html the tokens themselves, for printing slips: the only plaintext tokens
//                        anywhere; remove them once printed (shredTokenLists)
//   package.pyp          the sealed, signed campaign package
//   additions/NNNN.pya   signed token additions issued after sealing
#pragma once

#include "core/campaign.hpp"
#include "core/catalog.hpp"
#include "core/package.hpp"
#include "core/token.hpp"
#include "platform/files.hpp"
#include "platform/keyfile.hpp"

namespace pingyi {

struct Workspace {
    fs::path dir;
    fs::path campaignFile() const { return dir / "campaign.json"; }
    fs::path tokensDir() const { return dir / "tokens"; }
    fs::path issuedFile() const { return dir / "tokens" / "issued.json"; }
    fs::path packageFile() const { return dir / "package.pyp"; }
    fs::path additionsDir() const { return dir / "additions"; }
};

Status writeCampaignSource(const fs::path& file, const Campaign& c);
// Reads and validates; every problem is returned (problems non-empty => no campaign).
CampaignParse loadCampaignSource(const fs::path& file);

struct IssuedTokens {
    TokenSet set;
    std::vector<Token> tokens;
    fs::path csv, html;
};

// Issues `count` new tokens for a meeting and category before the package is sealed: records
// their tags in tokens/issued.json and writes the CSV and the printable slips.
// Errors: campaign.unknown_meeting, campaign.unknown_category_in_meeting, workspace.sealed.
Result<IssuedTokens> issueTokens(const Workspace& ws, const Campaign& c, const std::string& meeting,
                                 const std::string& category, std::size_t count, Lang lang);

// The plaintext token lists in tokens/: every *.csv and *.html (slips) that issueTokens and
// addTokens wrote, and temporary files of them a crash may have left; sorted. Empty if none.
Result<std::vector<fs::path>> plaintextTokenFiles(const Workspace& ws);
// Overwrites and removes every file plaintextTokenFiles() names (shredFile: best effort on flash
// and journaling file systems). tokens/issued.json (tags only) stays. Returns the files removed;
// on an error, the files before the one named were removed already.
Result<std::vector<fs::path>> shredTokenLists(const Workspace& ws);

// Seals the campaign source and issued token tags into package.pyp, signed by the organiser.
Result<Package> sealCampaign(const Workspace& ws, const SecretKeys& organiser,
                             const PublicKeys& collector);

// After sealing: issues tokens as a signed addition file (additions/NNNN.pya).
struct AddedTokens {
    IssuedTokens issued;
    fs::path file;
};
Result<AddedTokens> addTokens(const Workspace& ws, const SecretKeys& organiser,
                              const std::string& meeting, const std::string& category,
                              std::size_t count, Lang lang);

// Loads and verifies a package file; if `organiser` is given, the package must be signed by it.
Result<Package> loadPackage(const fs::path& file, const PublicKey* organiser = nullptr);

// Prepares `count` tablet stores under out_dir (label-prefix + number), each with its own
// device key locked under `pin` (checkPin's rule, at `cost`) and an enrolment certificate
// signed by the organiser. A PIN that does not hold is refused before any folder is made.
struct PreparedTablet {
    fs::path dir;
    std::string label;
    std::string fingerprint;
};
Result<std::vector<PreparedTablet>>
prepareTablets(const Package& package, const SecretKeys& organiser, const fs::path& out_dir,
               std::size_t count, const std::string& label_prefix, std::string_view pin,
               KdfCost cost = KdfCost::pin());

} // namespace pingyi
