declare module 'spdx-expression-parse' {
  type Node =
    | { license: string; plus?: boolean; exception?: string }
    | { left: Node; conjunction: 'and' | 'or'; right: Node };
  function parse(expression: string): Node;
  export = parse;
}
declare module 'spdx-license-ids' {
  const ids: string[];
  export = ids;
}
declare module 'spdx-license-ids/deprecated.json' {
  const ids: string[];
  export default ids;
}
