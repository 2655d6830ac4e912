fn main() {
    std::process::exit(coala_report::cli::main());
}
