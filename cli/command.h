// Subcommands register themselves so that adding one touches only its own file in cli/.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace okd::cli {

// add() creates the subcommand on the root app and returns a function run when it was chosen;
// that function returns the process exit code.
struct Command {
  std::string name;
  std::function<std::function<int()>(CLI::App& root)> add;
};

std::vector<Command>& commands();

struct CommandRegistrar {
  explicit CommandRegistrar(Command c) { commands().push_back(std::move(c)); }
};

}  // namespace okd::cli
