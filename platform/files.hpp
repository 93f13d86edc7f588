// Files and paths: whole-file reads, and atomic durable writes (temp file, fsync, rename,
// fsync of the folder) so a power cut leaves either the old file or the new one.
#pragma once

#include "core/bytes.hpp"
#include "core/result.hpp"

#include <filesystem>
#include <span>
#include <string>

namespace pingyi {

namespace fs = std::filesystem;

// Errors: file.not_found, file.read_failed (name the path), file.too_large.
Result<Bytes> readFile(const fs::path& path, std::size_t max_bytes = std::size_t(2) << 30);
Result<std::string> readTextFile(const fs::path& path, std::size_t max_bytes = 64u << 20);
// Errors: file.write_failed naming the path and the system's reason (e.g. disk full).
Status writeFileAtomic(const fs::path& path, ByteView bytes, bool private_mode = false);
// The same for a file made of several parts, written one after the other (no joined copy).
Status writeFileAtomic(const fs::path& path, std::span<const ByteView> parts,
                       bool private_mode = false);
Status writeFileAtomic(const fs::path& path, std::string_view text, bool private_mode = false);
Status ensureDirectory(const fs::path& dir);
// Overwrites the file's bytes with zeros in place, syncs them to the disk, then unlinks the file
// and syncs its folder. Best effort only: flash storage (wear levelling), journaling and
// copy-on-write file systems, backups and snapshots may keep older copies of the blocks.
// Errors: file.not_found, file.shred_failed naming the path and the system's reason.
Status shredFile(const fs::path& path);

} // namespace pingyi
