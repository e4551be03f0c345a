#!/usr/bin/env python3
"""Checks GraphQL against stock Mydia's schema (PROTOCOL.md §14.1), for StockSchemaTests.

Reads one JSON object on stdin:
  {"schemas": {"current": PATH, "2026-07-01": PATH},
   "documents": [{"name", "generation", "query", "variables"}],
   "server_sdl": SDL or null}
and prints one JSON object:
  {"documents": [{"name", "generation", "errors": [...]}],
   "server": {"current": [...], "2026-07-01": [...]}}   # problems: where the server is not a subset

A document is checked with graphql-core's validator and its variables are coerced against the
operation's variable definitions. The server's schema is a subset of a stock schema when every
type it has is there with the same kind, every field is there with a compatible type (the same
named type; the server may be non-null where stock is nullable, never the reverse), every
argument is there with exactly the same type, no required stock argument is missing, and every
enum value is there.
"""
import json
import sys

from graphql import (GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLList,
                     GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, GraphQLUnionType, build_schema,
                     parse, validate)
from graphql.error import GraphQLError
from graphql.execution.values import get_variable_values
from graphql.language import OperationDefinitionNode


def check_document(schema, query, variables):
    try:
        document = parse(query)
    except GraphQLError as error:
        return [f"syntax: {error.message}"]
    errors = [error.message for error in validate(schema, document)]
    if errors:
        return errors
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            coerced = get_variable_values(schema, definition.variable_definitions or [], variables or {})
            if isinstance(coerced, list):
                errors += [f"variables: {error.message}" for error in coerced]
    return errors


def kind(named):
    for k in (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType, GraphQLEnumType,
              GraphQLInputObjectType, GraphQLScalarType):
        if isinstance(named, k):
            return k.__name__
    return type(named).__name__


def output_compatible(ours, stock):
    """Whether a value of `ours` is always a valid value of `stock` (covariant)."""
    if isinstance(stock, GraphQLNonNull):
        return isinstance(ours, GraphQLNonNull) and output_compatible(ours.of_type, stock.of_type)
    if isinstance(ours, GraphQLNonNull):
        return output_compatible(ours.of_type, stock)
    if isinstance(stock, GraphQLList) or isinstance(ours, GraphQLList):
        return isinstance(stock, GraphQLList) and isinstance(ours, GraphQLList) and \
            output_compatible(ours.of_type, stock.of_type)
    return ours.name == stock.name


def root_name(schema, name):
    roots = {schema.query_type: "Query", schema.mutation_type: "Mutation", schema.subscription_type: "Subscription"}
    for root, label in roots.items():
        if root is not None and root.name == name:
            return label
    return name


def subset_problems(ours, stock):
    problems = []
    stock_types = {root_name(stock, name): t for name, t in stock.type_map.items()}
    for name, mine in ours.type_map.items():
        if name.startswith("__"):
            continue
        label = root_name(ours, name)
        theirs = stock_types.get(label)
        if theirs is None:
            if isinstance(mine, GraphQLScalarType) and name in ("String", "Int", "Float", "Boolean", "ID"):
                continue
            problems.append(f"type {label}: not in stock")
            continue
        if kind(mine) != kind(theirs):
            problems.append(f"type {label}: {kind(mine)} here, {kind(theirs)} in stock")
            continue
        if isinstance(mine, GraphQLEnumType):
            for value in mine.values:
                if value not in theirs.values:
                    problems.append(f"enum {label}.{value}: not in stock")
        if isinstance(mine, GraphQLInputObjectType):
            for field, definition in mine.fields.items():
                other = theirs.fields.get(field)
                if other is None or str(other.type) != str(definition.type):
                    problems.append(f"input {label}.{field}: {definition.type} here, {other.type if other else 'absent'} in stock")
            for field, other in theirs.fields.items():
                if isinstance(other.type, GraphQLNonNull) and field not in mine.fields:
                    problems.append(f"input {label}.{field}: required in stock, absent here")
        if isinstance(mine, (GraphQLObjectType, GraphQLInterfaceType)):
            for field, definition in mine.fields.items():
                other = theirs.fields.get(field)
                if other is None:
                    problems.append(f"field {label}.{field}: not in stock")
                    continue
                if not output_compatible(definition.type, other.type):
                    problems.append(f"field {label}.{field}: {definition.type} here, {other.type} in stock")
                for arg, arg_definition in definition.args.items():
                    stock_arg = other.args.get(arg)
                    if stock_arg is None:
                        problems.append(f"argument {label}.{field}({arg}): not in stock")
                    elif str(stock_arg.type) != str(arg_definition.type):
                        problems.append(f"argument {label}.{field}({arg}): {arg_definition.type} here, {stock_arg.type} in stock")
                for arg, stock_arg in other.args.items():
                    if isinstance(stock_arg.type, GraphQLNonNull) and stock_arg.default_value is None and arg not in definition.args:
                        problems.append(f"argument {label}.{field}({arg}): required in stock, absent here")
    return problems


def main():
    request = json.load(sys.stdin)
    schemas = {}
    for generation, path in request["schemas"].items():
        with open(path, encoding="utf-8") as sdl:
            schemas[generation] = build_schema(sdl.read())
    documents = []
    for document in request["documents"]:
        schema = schemas[document["generation"]]
        documents.append({"name": document["name"], "generation": document["generation"],
                          "errors": check_document(schema, document["query"], document.get("variables"))})
    server = {}
    if request.get("server_sdl"):
        ours = build_schema(request["server_sdl"])
        server = {generation: subset_problems(ours, schema) for generation, schema in schemas.items()}
    json.dump({"documents": documents, "server": server}, sys.stdout)


if __name__ == "__main__":
    main()
