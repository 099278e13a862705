// Files the web routes import `with { type: "text" }`: Bun inlines their contents as a string.
declare module "*.css" {
  const text: string;
  export default text;
}
