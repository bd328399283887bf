// `sqlx::migrate!` embeds `migrations/` at compile time, but cargo does not know the macro read those
// files: without this, a new migration file left the built crate without it (as sqlx's docs warn).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
