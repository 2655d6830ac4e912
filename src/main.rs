fn main() {
    std::process::exit(coala_report::commands::cli::main());
}
